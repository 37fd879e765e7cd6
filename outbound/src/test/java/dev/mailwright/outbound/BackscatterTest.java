package dev.mailwright.outbound;

import static dev.mailwright.outbound.OutboundWorkerTest.MESSAGE;
import static dev.mailwright.outbound.OutboundWorkerTest.parse;
import static dev.mailwright.outbound.OutboundWorkerTest.partText;
import static dev.mailwright.outbound.OutboundWorkerTest.queue;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.outbound.OutboundConfig.BounceLimits;
import dev.mailwright.outbound.OutboundWorkerTest.RecordingMetrics;
import dev.mailwright.outbound.testing.ScriptedServer;
import dev.mailwright.protocol.srs.SenderRewriting;
import dev.mailwright.store.Address;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.memory.InMemoryMailStore;
import jakarta.mail.internet.MimeMultipart;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, backscatter: a forged sender on the MX must not get the body of a message back, nor
 * any number of DSNs (ADR 0027). The remote MX that refuses is a {@link ScriptedServer}.
 */
class BackscatterTest {

    private static final Address VICTIM = Address.parse("victim@elsewhere.test");
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final RecordingMetrics metrics = new RecordingMetrics();
    private MutableClock clock;
    private MailStore store;
    private MapMxResolver mx;

    @BeforeEach
    void setUp() throws Exception {
        clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
        store = new InMemoryMailStore(clock, OutboundWorkerTest.HASHING);
        store.domains().add("example.org");
        mx = new MapMxResolver();
        ScriptedServer refusing = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.1.1 no such user")));
        mx.add("remote.test", "127.0.0.1", refusing.port());
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

    private OutboundWorker worker(OutboundConfig.Builder config) {
        return closeLater(new OutboundWorker(store, mx, config.build(), clock, metrics));
    }

    private static OutboundConfig.Builder config() {
        return OutboundConfig.builder("out.example.org").timeouts(OutboundConfig.Timeouts.all(Duration.ofSeconds(20)))
                .delayWarningAfter(null);
    }

    /** What the MX queued: from an unauthenticated session, sender as given, RET=FULL. */
    private long queueFromMx(Address sender) {
        return queue(store, new Envelope(Optional.of(sender), clock.instant(), Optional.of("FULL"), Optional.empty(),
                false, Optional.empty()), MESSAGE, RemoteRecipient.of(Address.parse("target@remote.test")));
    }

    /** The DSNs waiting in the queue (each with the null reverse path), by recipient. */
    private List<QueueItem> queuedDsns() {
        return store.queue().list().stream().filter(i -> i.envelope().reversePath().isEmpty()).toList();
    }

    private String content(QueueItem item) throws Exception {
        try (InputStream in = store.queue().openContent(item.messageId())) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void retFullFromAnUnauthenticatedSenderGetsOnlyTheHeadersBack() throws Exception {
        queueFromMx(VICTIM);

        worker(config()).runOnce();

        List<QueueItem> dsns = queuedDsns();
        assertThat(dsns).hasSize(1);
        assertThat(dsns.get(0).recipient().address()).isEqualTo(VICTIM);
        MimeMultipart parts = (MimeMultipart) parse(content(dsns.get(0))).getContent();
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
        assertThat(partText(parts.getBodyPart(2))).contains("Subject: hello").doesNotContain("first line", "last");
    }

    @Test
    void dsnsToOneUnauthenticatedSenderStopAtItsLimitAndTheRestAreDroppedAndCounted() throws Exception {
        for (int i = 0; i < 5; i++) {
            queueFromMx(VICTIM);
        }
        queueFromMx(Address.parse("other@elsewhere.test"));

        worker(config().bounceLimits(new BounceLimits(2, 50, 500, Duration.ofHours(1)))).runOnce();

        assertThat(queuedDsns()).extracting(i -> i.recipient().address().toString())
                .containsExactlyInAnyOrder("victim@elsewhere.test", "victim@elsewhere.test", "other@elsewhere.test");
        assertThat(metrics.events).filteredOn(e -> e.startsWith("dsn dropped"))
                .containsExactly("dsn dropped over_sender", "dsn dropped over_sender", "dsn dropped over_sender");
        assertThat(store.queue().list()).as("dropped failures are not kept for a later DSN").hasSize(3);
    }

    @Test
    void limitsStartAgainInTheNextWindow() throws Exception {
        OutboundWorker worker = worker(config().bounceLimits(new BounceLimits(1, 50, 500, Duration.ofHours(1))));
        queueFromMx(VICTIM);
        queueFromMx(VICTIM);
        worker.runOnce();
        assertThat(queuedDsns()).hasSize(1);

        clock.advance(Duration.ofHours(1));
        queueFromMx(VICTIM);
        worker.runOnce();

        assertThat(queuedDsns()).hasSize(2);
    }

    @Test
    void authenticatedSubmittersAreNotLimitedAndKeepRetFull() throws Exception {
        store.accounts().add(Address.parse("ann@example.org"), "secret-password".toCharArray());
        for (int i = 0; i < 3; i++) {
            queue(store, new Envelope(Optional.of(Address.parse("ann@example.org")), clock.instant(), Optional.of("FULL"),
                    Optional.empty(), false, Optional.of("ann@example.org")), MESSAGE,
                    RemoteRecipient.of(Address.parse("target@remote.test")));
        }

        worker(config().bounceLimits(new BounceLimits(1, 1, 1, Duration.ofHours(1)))).runOnce();

        assertThat(metrics.events).contains("dsn failed").doesNotContain("dsn dropped over_sender",
                "dsn dropped over_sender_domain", "dsn dropped over_total");
        assertThat(metrics.events.stream().filter("dsn failed"::equals).count()).isEqualTo(3);
    }

    @Test
    void dsnForAForwardedMessageGoesToTheOriginalSenderWithTheHeadersOnly() throws Exception {
        SenderRewriting srs = new SenderRewriting(SECRET, "example.org", Duration.ofDays(21), clock);
        Address rewritten = srs.forward(VICTIM).orElseThrow();
        queueFromMx(rewritten);

        worker(config().senderRewriting(srs)).runOnce();

        List<QueueItem> dsns = queuedDsns();
        assertThat(dsns).extracting(i -> i.recipient().address()).containsExactly(VICTIM);
        String dsn = content(dsns.get(0));
        assertThat(parse(dsn).getHeader("To", null)).isEqualTo("<victim@elsewhere.test>");
        MimeMultipart parts = (MimeMultipart) parse(dsn).getContent();
        assertThat(parts.getBodyPart(2).getContentType()).startsWith("text/rfc822-headers");
    }

    @Test
    void dsnToAForgedSrsAddressIsDroppedAndCounted() throws Exception {
        SenderRewriting srs = new SenderRewriting(SECRET, "example.org", Duration.ofDays(21), clock);
        queueFromMx(Address.parse("SRS0=AAAAAA=AA=elsewhere.test=victim@example.org"));

        worker(config().senderRewriting(srs)).runOnce();

        assertThat(queuedDsns()).isEmpty();
        assertThat(store.queue().list()).isEmpty();
        assertThat(metrics.events).contains("dsn dropped bad_srs");
    }
}
