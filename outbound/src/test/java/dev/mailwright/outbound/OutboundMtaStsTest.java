package dev.mailwright.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.outbound.mtasts.MtaStsPolicies;
import dev.mailwright.outbound.testing.PolicyServer;
import dev.mailwright.outbound.testing.Receiver;
import dev.mailwright.outbound.testing.ScriptedServer;
import dev.mailwright.store.Account;
import dev.mailwright.outbound.tlsrpt.TlsResults;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.store.Address;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * MTA-STS enforcement end to end: policies from the fake DNS and a real HTTPS server, the
 * receiving MX our own SmtpServer on a loopback port with STARTTLS, its certificate for
 * {@code localhost} trusted through the worker's trust store (the MX host name is
 * {@code localhost}, so PKIX and host name checks are the real ones).
 */
class OutboundMtaStsTest {

    /** The certificate the good MX presents, and the only trust anchor of the worker. */
    static final SelfSignedCertificate MX_CERT = SelfSignedCertificate.generate("localhost");

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<TlsResults.Result> reported = new CopyOnWriteArrayList<>();
    private final MapTxtResolver dns = new MapTxtResolver();
    private MutableClock clock;
    private MailStore store;
    private MapMxResolver mx;
    private PolicyServer web;

    @BeforeEach
    void setUp() throws Exception {
        clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
        store = new InMemoryMailStore(clock, OutboundWorkerTest.HASHING);
        store.domains().add("example.org");
        mx = new MapMxResolver();
        web = closeLater(new PolicyServer());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        store.close();
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    static KeyStore trusting(SelfSignedCertificate cert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("mx", cert.certificate());
        return ks;
    }

    private OutboundWorker worker() throws Exception {
        OutboundConfig config = OutboundConfig.builder("out.example.org")
                .timeouts(OutboundConfig.Timeouts.all(Duration.ofSeconds(20)))
                .firstRetry(Duration.ofMinutes(5)).maxRetryInterval(Duration.ofHours(1)).maxAge(Duration.ofDays(1))
                .delayWarningAfter(null)
                .mtaSts(new MtaStsPolicies(dns, web.fetcher(), clock))
                .trustStore(trusting(MX_CERT))
                .tlsResults(reported::add)
                .build();
        return closeLater(new OutboundWorker(store, mx, config, clock));
    }

    /** The MX of remote.test, as {@code localhost}: with STARTTLS and this certificate, or without STARTTLS for null. */
    private Receiver remoteMx(dev.mailwright.protocol.tls.TlsConfig tls) {
        Receiver rx = closeLater(tls == null ? Receiver.plainMx("localhost") : Receiver.mx("localhost", tls));
        mx.add("remote.test", "localhost", rx.port());
        return rx;
    }

    private void queue(String to) {
        OutboundWorkerTest.queue(store, Envelope.of(Optional.of(Address.parse("ann@example.org")), clock.instant()),
                OutboundWorkerTest.MESSAGE, RemoteRecipient.of(Address.parse(to)));
    }

    private void queueRequiringTls(String to, String content) {
        Address ann = Address.parse("ann@example.org");
        OutboundWorkerTest.queue(store, new Envelope(Optional.of(ann), clock.instant(), Optional.of("FULL"),
                Optional.empty(), false, Optional.of(ann.toString()), true), content,
                RemoteRecipient.of(Address.parse(to)));
    }

    private void policy(String domain, String mode, String mxPattern) {
        dns.add("_mta-sts." + domain, "v=STSv1; id=20261207;");
        web.serve(domain, "version: STSv1\r\nmode: " + mode + "\r\nmx: " + mxPattern + "\r\nmax_age: 86400\r\n");
    }

    @Test
    void enforceDeliversOverVerifiedTlsToAMatchingMx() throws Exception {
        Receiver rx = remoteMx(MX_CERT.tlsConfig());
        policy("remote.test", "enforce", "localhost");
        queue("x@remote.test");

        worker().runOnce();

        assertThat(rx.received()).hasSize(1);
        assertThat(rx.received().get(0).tls()).isPresent();
        assertThat(store.queue().list()).isEmpty();
        assertThat(reported).anySatisfy(r -> {
            assertThat(r.policyDomain()).isEqualTo("remote.test");
            assertThat(r.failureType()).isEmpty();
            assertThat(r.policy()).isPresent();
        });
    }

    @Test
    void enforceDefersWhenNoMxMatchesThePolicy() throws Exception {
        Receiver rx = remoteMx(MX_CERT.tlsConfig());
        policy("remote.test", "enforce", "mx.remote.test");
        queue("x@remote.test");

        worker().runOnce();

        assertThat(rx.received()).isEmpty();
        QueueItem waiting = store.queue().list().get(0);
        assertThat(waiting.state()).isEqualTo(QueueItem.State.QUEUED);
        assertThat(waiting.lastError()).hasValueSatisfying(e -> assertThat(e).contains("MTA-STS"));
    }

    @Test
    void enforceDefersRatherThanDeliverToAnUntrustedCertificate() throws Exception {
        Receiver rx = remoteMx(SelfSignedCertificate.generate("localhost").tlsConfig());
        policy("remote.test", "enforce", "localhost");
        queue("x@remote.test");

        worker().runOnce();

        assertThat(rx.received()).as("neither over TLS nor in plain text").isEmpty();
        assertThat(store.queue().list()).hasSize(1);
        assertThat(store.queue().list().get(0).lastError()).hasValueSatisfying(e ->
                assertThat(e).contains("MTA-STS").contains("not valid"));
        assertThat(reported).anySatisfy(r -> assertThat(r.failureType()).hasValue("certificate-not-trusted"));
    }

    @Test
    void enforceDefersWhenTheCertificateIsForAnotherName() throws Exception {
        SelfSignedCertificate other = SelfSignedCertificate.generate("mx.elsewhere.test");
        Receiver rx = remoteMx(other.tlsConfig());
        policy("remote.test", "enforce", "localhost");
        queue("x@remote.test");

        OutboundConfig config = OutboundConfig.builder("out.example.org")
                .timeouts(OutboundConfig.Timeouts.all(Duration.ofSeconds(20))).delayWarningAfter(null)
                .mtaSts(new MtaStsPolicies(dns, web.fetcher(), clock))
                .trustStore(trusting(other)) // trusted, but not for the name "localhost"
                .tlsResults(reported::add).build();
        closeLater(new OutboundWorker(store, mx, config, clock)).runOnce();

        assertThat(rx.received()).isEmpty();
        assertThat(store.queue().list()).hasSize(1);
        assertThat(reported).anySatisfy(r -> assertThat(r.failureType()).hasValue("certificate-host-mismatch"));
    }

    @Test
    void enforceDefersWhenTheMxOffersNoStartTls() throws Exception {
        Receiver rx = remoteMx(null);
        policy("remote.test", "enforce", "localhost");
        queue("x@remote.test");

        worker().runOnce();

        assertThat(rx.received()).isEmpty();
        assertThat(store.queue().list().get(0).lastError()).hasValueSatisfying(e ->
                assertThat(e).contains("does not offer STARTTLS"));
        assertThat(reported).anySatisfy(r -> assertThat(r.failureType()).hasValue("starttls-not-supported"));
    }

    @Test
    void testingDeliversDespiteAnUntrustedCertificateAndReportsIt() throws Exception {
        Receiver rx = remoteMx(SelfSignedCertificate.generate("localhost").tlsConfig());
        policy("remote.test", "testing", "localhost");
        queue("x@remote.test");

        worker().runOnce();

        assertThat(rx.received()).hasSize(1);
        assertThat(rx.received().get(0).tls()).isPresent();
        assertThat(store.queue().list()).isEmpty();
        assertThat(reported).anySatisfy(r -> {
            assertThat(r.failureType()).hasValue("certificate-not-trusted");
            assertThat(r.policy()).isPresent();
        });
    }

    @Test
    void withoutAPolicyAnUntrustedCertificateIsStillOpportunisticTls() throws Exception {
        Receiver rx = remoteMx(SelfSignedCertificate.generate("localhost").tlsConfig());
        queue("x@remote.test");

        worker().runOnce();

        assertThat(rx.received()).hasSize(1);
        assertThat(reported).anySatisfy(r -> {
            assertThat(r.failureType()).hasValue("certificate-not-trusted");
            assertThat(r.policy()).isEmpty();
        });
    }

    @Test
    void tlsRequiredNoDeliversDespiteAnEnforcedPolicy() throws Exception {
        Receiver rx = remoteMx(SelfSignedCertificate.generate("localhost").tlsConfig());
        policy("remote.test", "enforce", "localhost");
        OutboundWorkerTest.queue(store, Envelope.of(Optional.of(Address.parse("ann@example.org")), clock.instant()),
                "From: ann@example.org\r\nTLS-Required: No\r\nSubject: alert\r\n\r\nthe certificate expired\r\n",
                RemoteRecipient.of(Address.parse("x@remote.test")));

        worker().runOnce();

        assertThat(rx.received()).hasSize(1);
        assertThat(store.queue().list()).isEmpty();
    }

    // ------------------------------------------------------------ REQUIRETLS (RFC 8689)

    @Test
    void requireTlsGoesOverVerifiedTlsWithRequireTlsToAnMtaStsHost() throws Exception {
        Receiver rx = remoteMx(MX_CERT.tlsConfig());
        policy("remote.test", "testing", "localhost");
        queueRequiringTls("x@remote.test", OutboundWorkerTest.MESSAGE);

        worker().runOnce();

        assertThat(rx.received()).hasSize(1);
        assertThat(rx.received().get(0).requireTls()).as("REQUIRETLS passed on").isTrue();
        assertThat(rx.received().get(0).tls()).isPresent();
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void requireTlsIsReturnedWhenTheDomainHasNoMtaStsPolicy() throws Exception {
        Account ann = store.accounts().add(Address.parse("ann@example.org"), "secret-password".toCharArray());
        Receiver rx = remoteMx(MX_CERT.tlsConfig());
        queueRequiringTls("x@remote.test", OutboundWorkerTest.MESSAGE);

        worker().runOnce();

        assertThat(rx.received()).isEmpty();
        assertThat(store.queue().list()).isEmpty();
        List<String> dsn = OutboundWorkerTest.mailbox(store, ann);
        assertThat(dsn).hasSize(1);
        assertThat(dsn.get(0)).contains("Status: 5.7.30").contains("text/rfc822-headers")
                .as("RET=FULL, but not the body of a REQUIRETLS message").doesNotContain("first line");
    }

    @Test
    void requireTlsTreatsATestingPolicyAsEnforcedAndReturnsTheMessageOnABadCertificate() throws Exception {
        store.accounts().add(Address.parse("ann@example.org"), "secret-password".toCharArray());
        Receiver rx = remoteMx(SelfSignedCertificate.generate("localhost").tlsConfig());
        policy("remote.test", "testing", "localhost");
        queueRequiringTls("x@remote.test", OutboundWorkerTest.MESSAGE);

        worker().runOnce();

        assertThat(rx.received()).isEmpty();
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void requireTlsIsReturnedWhenTheHostDoesNotTakeRequireTls() throws Exception {
        Account ann = store.accounts().add(Address.parse("ann@example.org"), "secret-password".toCharArray());
        ScriptedServer rx = closeLater(new ScriptedServer(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 2.1.5 ok";
            }

            @Override
            public javax.net.ssl.SSLContext tls() {
                return MX_CERT.tlsConfig().context();
            }

            @Override
            public List<String> extensions() {
                return List.of("PIPELINING", "8BITMIME", "STARTTLS");
            }
        }));
        mx.add("remote.test", "localhost", rx.port());
        policy("remote.test", "enforce", "localhost");
        queueRequiringTls("x@remote.test", OutboundWorkerTest.MESSAGE);

        worker().runOnce();

        assertThat(rx.messages()).isEmpty();
        assertThat(rx.commands()).as("TLS went up and EHLO was repeated").contains("STARTTLS")
                .filteredOn(c -> c.startsWith("EHLO")).hasSize(2);
        assertThat(OutboundWorkerTest.mailbox(store, ann)).singleElement().asString()
                .contains("Status: 5.7.30").contains("does not support REQUIRETLS");
    }

    @Test
    void requireTlsWinsOverTlsRequiredNo() throws Exception {
        Account ann = store.accounts().add(Address.parse("ann@example.org"), "secret-password".toCharArray());
        Receiver rx = remoteMx(null);
        policy("remote.test", "enforce", "localhost");
        queueRequiringTls("x@remote.test",
                "From: ann@example.org\r\nTLS-Required: No\r\nSubject: both\r\n\r\nbody\r\n");

        worker().runOnce();

        assertThat(rx.received()).isEmpty();
        assertThat(store.queue().list()).isEmpty();
        assertThat(OutboundWorkerTest.mailbox(store, ann)).singleElement().asString()
                .as("the policy was applied, not skipped").contains("Status: 5.7.30").contains("does not offer STARTTLS");
    }

    @Test
    void aPolicyThatCannotBeFetchedIsReportedAndMailGoesAsWithoutOne() throws Exception {
        Receiver rx = remoteMx(null);
        dns.add("_mta-sts.remote.test", "v=STSv1; id=1;"); // but no policy on the web server: 404
        queue("x@remote.test");

        worker().runOnce();

        assertThat(rx.received()).hasSize(1);
        assertThat(reported).anySatisfy(r -> assertThat(r.failureType()).hasValue("sts-policy-fetch-error"));
    }
}
