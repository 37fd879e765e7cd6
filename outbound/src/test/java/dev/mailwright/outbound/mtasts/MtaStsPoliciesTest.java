package dev.mailwright.outbound.mtasts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.outbound.MapTxtResolver;
import dev.mailwright.outbound.testing.PolicyServer;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.store.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Policy discovery over the fake DNS and a real HTTPS server, the strict fetch, and the cache (RFC 8461 3, 5.1). */
class MtaStsPoliciesTest {

    static final String ENFORCE = "version: STSv1\r\nmode: enforce\r\nmx: mx.remote.test\r\nmax_age: 86400\r\n";
    static final String TESTING = "version: STSv1\r\nmode: testing\r\nmx: *.remote.test\r\nmax_age: 86400\r\n";

    private final MapTxtResolver dns = new MapTxtResolver();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private PolicyServer web;
    private MtaStsPolicies policies;

    @BeforeEach
    void setUp() throws Exception {
        web = new PolicyServer();
        policies = new MtaStsPolicies(dns, web.fetcher(), clock);
    }

    @AfterEach
    void tearDown() {
        web.close();
    }

    @Test
    void aPublishedPolicyIsFetchedOverHttps() {
        dns.add("_mta-sts.remote.test", "v=STSv1; id=20261207T1;");
        web.serve("remote.test", ENFORCE);

        MtaStsPolicy p = policies.policy("remote.test").orElseThrow();

        assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(p.permits("mx.remote.test")).isTrue();
    }

    @Test
    void withoutATxtRecordNoPolicyIsFetched() {
        web.serve("remote.test", ENFORCE);

        assertThat(policies.policy("remote.test")).isEmpty();
        assertThat(web.requests("remote.test")).isZero();
    }

    @Test
    void otherTxtRecordsAndTwoStsRecordsMeanNoPolicy() {
        web.serve("remote.test", ENFORCE);
        dns.add("_mta-sts.remote.test", "v=spf1 -all");
        assertThat(policies.policy("remote.test")).isEmpty();

        dns.add("_mta-sts.remote.test", "v=STSv1; id=1;").add("_mta-sts.remote.test", "v=STSv1; id=2;");
        assertThat(policies.policy("remote.test")).isEmpty();
        assertThat(web.requests("remote.test")).isZero();
    }

    @Test
    void theCachedPolicyIsUsedWhileTheIdStaysTheSame() {
        dns.add("_mta-sts.remote.test", "v=STSv1; id=a1;");
        web.serve("remote.test", ENFORCE);

        policies.policy("remote.test");
        web.serve("remote.test", TESTING);
        MtaStsPolicy again = policies.policy("remote.test").orElseThrow();

        assertThat(again.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(web.requests("remote.test")).isEqualTo(1);
    }

    @Test
    void aNewIdFetchesTheNewPolicy() {
        dns.add("_mta-sts.remote.test", "v=STSv1; id=a1;");
        web.serve("remote.test", ENFORCE);
        policies.policy("remote.test");

        dns.set("_mta-sts.remote.test", "v=STSv1; id=a2;");
        web.serve("remote.test", TESTING);

        assertThat(policies.policy("remote.test").orElseThrow().mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(web.requests("remote.test")).isEqualTo(2);
    }

    @Test
    void aCachedPolicyOutlivesTheLossOfDnsAndWebUntilItsMaxAge() {
        dns.add("_mta-sts.remote.test", "v=STSv1; id=a1;");
        web.serve("remote.test", ENFORCE);
        policies.policy("remote.test");

        // an attacker strips the TXT record, or DNS fails, or the new policy cannot be fetched
        dns.remove("_mta-sts.remote.test");
        assertThat(policies.policy("remote.test")).isPresent();
        dns.failing("_mta-sts.remote.test");
        assertThat(policies.policy("remote.test")).isPresent();
        MapTxtResolver other = new MapTxtResolver().add("_mta-sts.remote.test", "v=STSv1; id=a2;");
        web.answer("remote.test", new PolicyServer.Answer(500, "text/plain", new byte[0], null));

        MtaStsPolicies.Lookup l = new MtaStsPolicies(other, web.fetcher(), clock).lookup("remote.test");
        assertThat(l.policy()).isEmpty();
        assertThat(l.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(MtaStsPolicies.Failure.Kind.FETCH_ERROR));

        clock.advance(Duration.ofDays(1));
        assertThat(policies.policy("remote.test")).as("expired after max_age").isEmpty();
    }

    @Test
    void aNewIdWhosePolicyCannotBeFetchedKeepsTheCachedOne() {
        dns.add("_mta-sts.remote.test", "v=STSv1; id=a1;");
        web.serve("remote.test", ENFORCE);
        policies.policy("remote.test");
        dns.set("_mta-sts.remote.test", "v=STSv1; id=a2;");
        web.serve("remote.test", "version: STSv1\nmode: bogus\n");

        MtaStsPolicies.Lookup l = policies.lookup("remote.test");

        assertThat(l.policy()).hasValueSatisfying(p -> assertThat(p.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE));
        assertThat(l.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(MtaStsPolicies.Failure.Kind.INVALID));
    }

    @Test
    void modeNoneWithdrawsThePolicy() {
        dns.add("_mta-sts.remote.test", "v=STSv1; id=a1;");
        web.serve("remote.test", "version: STSv1\nmode: none\nmax_age: 86400\n");

        assertThat(policies.policy("remote.test")).isEmpty();
    }

    @Test
    void theFetchIsStrict() {
        PolicyFetcher f = web.fetcher();
        web.answer("redirect.test", new PolicyServer.Answer(302, "text/plain", new byte[0],
                web.location("remote.test").toString()));
        web.serve("remote.test", ENFORCE);
        web.answer("html.test", new PolicyServer.Answer(200, "text/html", ENFORCE.getBytes(StandardCharsets.UTF_8), null));
        web.answer("created.test", new PolicyServer.Answer(201, "text/plain", ENFORCE.getBytes(StandardCharsets.UTF_8), null));
        web.answer("large.test", new PolicyServer.Answer(200, "text/plain",
                (ENFORCE + "x: " + "y".repeat(PolicyFetcher.MAX_SIZE) + "\n").getBytes(StandardCharsets.UTF_8), null));

        assertThatThrownBy(() -> f.fetch("redirect.test")).isInstanceOf(PolicyFetcher.FetchException.class)
                .hasMessageContaining("302");
        assertThatThrownBy(() -> f.fetch("html.test")).isInstanceOf(PolicyFetcher.FetchException.class)
                .hasMessageContaining("text/html");
        assertThatThrownBy(() -> f.fetch("created.test")).isInstanceOf(PolicyFetcher.FetchException.class)
                .hasMessageContaining("201");
        assertThatThrownBy(() -> f.fetch("large.test")).isInstanceOf(PolicyFetcher.FetchException.class)
                .hasMessageContaining("larger");
        assertThatThrownBy(() -> f.fetch("missing.test")).isInstanceOf(PolicyFetcher.FetchException.class)
                .hasMessageContaining("404");
        assertThat(web.requests("remote.test")).as("redirect not followed").isZero();
    }

    @Test
    void theWellKnownPlaceIsOnTheMtaStsHostInALabels() {
        assertThat(PolicyFetcher.wellKnown("example.com").toString())
                .isEqualTo("https://mta-sts.example.com/.well-known/mta-sts.txt");
        assertThat(PolicyFetcher.wellKnown("bücher.example").getHost()).isEqualTo("mta-sts.xn--bcher-kva.example");
    }

    @Test
    void aPolicyServerWithAnUntrustedCertificateGivesNoPolicy() throws Exception {
        dns.add("_mta-sts.remote.test", "v=STSv1; id=a1;");
        web.serve("remote.test", ENFORCE);
        // trusts another certificate than the server's
        MtaStsPolicies distrusting = new MtaStsPolicies(dns,
                web.fetcher(SelfSignedCertificate.generate("localhost").clientContext()), clock);

        MtaStsPolicies.Lookup l = distrusting.lookup("remote.test");

        assertThat(l.policy()).isEmpty();
        assertThat(l.failure()).hasValueSatisfying(f -> assertThat(f.kind()).isEqualTo(MtaStsPolicies.Failure.Kind.FETCH_ERROR));
    }
}
