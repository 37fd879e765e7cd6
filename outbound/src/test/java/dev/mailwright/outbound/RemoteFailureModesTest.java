package dev.mailwright.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.outbound.testing.ScriptedServer;
import dev.mailwright.store.Address;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the worker makes of a remote server's misbehaviour, one scripted server per case. */
class RemoteFailureModesTest {

    private MutableClock clock;
    private MailStore store;
    private final MapMxResolver mx = new MapMxResolver();
    private ScriptedServer server;
    private OutboundWorker worker;

    @BeforeEach
    void setUp() {
        clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        store = new InMemoryMailStore(clock, OutboundWorkerTest.HASHING);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (server != null) {
            server.close();
        }
        store.close();
    }

    private void run(ScriptedServer.Script script, String content, String... to) throws Exception {
        server = new ScriptedServer(script);
        mx.add("remote.test", "127.0.0.1", server.port());
        RemoteRecipient[] rs = new RemoteRecipient[to.length];
        for (int i = 0; i < to.length; i++) {
            rs[i] = new RemoteRecipient(Address.parse(to[i]), Set.of("NEVER"), Optional.empty());
        }
        OutboundWorkerTest.queue(store, Envelope.of(Optional.of(Address.parse("ann@elsewhere.test")), clock.instant()),
                content, rs);
        worker = new OutboundWorker(store, mx, OutboundConfig.builder("out.example.org")
                .timeouts(OutboundConfig.Timeouts.all(Duration.ofSeconds(2))).build(), clock);
        worker.runOnce();
    }

    private static ScriptedServer.Script script(ScriptedServer.Script base, List<String> extensions, String endOfData) {
        return new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return base.rcpt(connection, address);
            }

            @Override
            public String endOfData(int connection) {
                return endOfData;
            }

            @Override
            public List<String> extensions() {
                return extensions;
            }
        };
    }

    @Test
    void rejectionAfterTheDataFailsEveryAcceptedRecipient() throws Exception {
        run(script((c, a) -> "250 ok", List.of("PIPELINING"), "554 5.7.1 spam"), "Subject: x\r\n\r\nbody\r\n",
                "a@remote.test", "b@remote.test");

        assertThat(store.queue().list()).isEmpty();
        assertThat(server.messages()).isEmpty();
    }

    @Test
    void temporaryRejectionAfterTheDataKeepsEveryAcceptedRecipient() throws Exception {
        run(script((c, a) -> a.startsWith("a") ? "250 ok" : "550 5.1.1 unknown", List.of(), "451 4.3.0 later"),
                "Subject: x\r\n\r\nbody\r\n", "a@remote.test", "b@remote.test");

        List<QueueItem> left = store.queue().list();
        assertThat(left).extracting(i -> i.recipient().address().toString()).containsExactly("a@remote.test");
        assertThat(left.get(0).lastError()).hasValueSatisfying(e -> assertThat(e).contains("451 4.3.0 later"));
    }

    @Test
    void withoutPipeliningCommandsGoOneByOneAndDataIsDotStuffed() throws Exception {
        run(script((c, a) -> "250 ok", List.of("8BITMIME"), "250 ok"),
                "Subject: x\r\n\r\n.leading dot\r\n..two dots\r\nnaïve 8-bit\r\n", "a@remote.test");

        assertThat(server.messages()).containsExactly("Subject: x\r\n\r\n.leading dot\r\n..two dots\r\nnaïve 8-bit\r\n");
        assertThat(server.commands()).anyMatch(c -> c.startsWith("MAIL FROM:<ann@elsewhere.test>") && c.contains("BODY=8BITMIME"));
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void messageLargerThanThePeersSizeLimitFailsPermanently() throws Exception {
        run(script((c, a) -> "250 ok", List.of("SIZE 10"), "250 ok"), "Subject: too big\r\n\r\nbody\r\n",
                "a@remote.test");

        assertThat(store.queue().list()).isEmpty();
        assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
    }

    @Test
    void peerThatStopsAnsweringIsATemporaryFailure() throws Exception {
        run(new ScriptedServer.Script() {
            @Override
            public String rcpt(int connection, String address) {
                return "250 ok";
            }

            @Override
            public boolean stall(int connection) {
                return true;
            }
        }, "Subject: x\r\n\r\nbody\r\n", "a@remote.test");

        QueueItem item = store.queue().list().get(0);
        assertThat(item.attempts()).isEqualTo(1);
        assertThat(item.lastError()).hasValueSatisfying(e -> assertThat(e).contains("timed out"));
    }

    @Test
    void brokenOpportunisticTlsIsRetriedInPlainText() throws Exception {
        run(script((c, a) -> "250 ok", List.of("STARTTLS", "PIPELINING"), "250 ok"), "Subject: x\r\n\r\nbody\r\n",
                "a@remote.test");

        assertThat(server.connections()).isEqualTo(2);
        assertThat(server.messages()).hasSize(1);
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void utf8HeaderNeedsSmtpUtf8ButAnAsciiMessageSubmittedWithItDoesNot() throws Exception {
        run((c, a) -> "250 ok", "Subject: Grüße\r\n\r\nbody\r\n", "a@remote.test");
        assertThat(server.commands()).noneMatch(c -> c.startsWith("MAIL"));
        assertThat(store.queue().list()).as("failed permanently (NOTIFY=NEVER: no DSN)").isEmpty();
        server.close();

        server = new ScriptedServer((c, a) -> "250 ok");
        MapMxResolver routes = new MapMxResolver().add("ascii.test", "127.0.0.1", server.port());
        OutboundWorkerTest.queue(store, new Envelope(Optional.of(Address.parse("ann@elsewhere.test")), clock.instant(),
                Optional.empty(), Optional.empty(), true, Optional.empty()), "Subject: plain\r\n\r\nbody\r\n",
                RemoteRecipient.of(Address.parse("b@ascii.test")));
        try (OutboundWorker w = new OutboundWorker(store, routes, OutboundConfig.builder("out.example.org").build(), clock)) {
            w.runOnce();
        }
        assertThat(server.messages()).hasSize(1);
        assertThat(server.commands()).anyMatch(c -> c.equals("MAIL FROM:<ann@elsewhere.test> SIZE=" + "Subject: plain\r\n\r\nbody\r\n".length()));
    }

    @Test
    void resolverThatBreaksLeavesTheMailQueuedForLater() throws Exception {
        OutboundWorkerTest.queue(store, Envelope.of(Optional.of(Address.parse("ann@elsewhere.test")), clock.instant()),
                "Subject: x\r\n\r\nbody\r\n", RemoteRecipient.of(Address.parse("a@remote.test")));
        MxResolver broken = domain -> {
            throw new IllegalStateException("resolver bug");
        };
        try (OutboundWorker w = new OutboundWorker(store, broken, OutboundConfig.builder("out.example.org").build(), clock)) {
            w.runOnce();
        }

        QueueItem item = store.queue().list().get(0);
        assertThat(item.attempts()).isEqualTo(1);
        assertThat(item.lastError()).hasValueSatisfying(e -> assertThat(e).contains("MX lookup of remote.test failed")
                .doesNotContain("resolver bug"));
    }

    @Test
    void unknownDestinationIsRetriedNotBounced() throws Exception {
        run((c, a) -> "250 ok", "Subject: x\r\n\r\nbody\r\n", "a@unrouted.test");

        QueueItem item = store.queue().list().get(0);
        assertThat(item.attempts()).isEqualTo(1);
        assertThat(item.lastError()).hasValueSatisfying(e -> assertThat(e).contains("no route"));
    }
}
