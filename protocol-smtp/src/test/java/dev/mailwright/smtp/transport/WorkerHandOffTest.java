package dev.mailwright.smtp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.store.Address;
import dev.mailwright.store.Deliveries;
import dev.mailwright.store.ForwardingDelivery;
import dev.mailwright.store.ForwardingMailStore;
import dev.mailwright.store.MailStore;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Work that may block (a store lookup, a hook that says it may) runs on a worker thread, never
 * on a MINA I/O thread; commands that cannot block are answered on the thread that read them.
 */
class WorkerHandOffTest {

    private final MailStore store = SessionHarness.fixtureStore();
    /** Per stage, the threads its hook ran on, in order. */
    private final Map<SmtpPolicy.Stage, List<String>> threads = new ConcurrentHashMap<>();
    private SmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Records the thread each hook ran on; says nothing about blocking (so it may block anywhere). */
    private class Recorder implements SmtpPolicy {
        private PolicyResult seen(Stage stage) {
            threads.computeIfAbsent(stage, s -> new java.util.concurrent.CopyOnWriteArrayList<>())
                    .add(Thread.currentThread().getName());
            return PolicyResult.NO_OPINION;
        }

        @Override
        public PolicyResult connect(SessionInfo session) {
            return seen(Stage.CONNECT);
        }

        @Override
        public PolicyResult helo(SessionInfo session, String name) {
            return seen(Stage.HELO);
        }

        @Override
        public PolicyResult mail(SessionInfo session, MailFrom from) {
            return seen(Stage.MAIL);
        }

        @Override
        public PolicyResult rcpt(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo recipient) {
            return seen(Stage.RCPT);
        }

        @Override
        public PolicyResult endOfData(SessionInfo session, MailFrom from, List<RcptTo> recipients, long size,
                                          dev.mailwright.smtp.api.OriginatorFields originators) {
            return seen(Stage.END_OF_DATA);
        }
    }

    private void deliverOnePipelinedAndOneStepByStep(SmtpPolicy hook) throws IOException {
        server = SmtpServer.builder().hostname("mx.example.org").store(store).policy(hook).mx(0).start();
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX))) {
            assertThat(c.reply()).startsWith("220 ");
            c.write("EHLO client.example\r\nMAIL FROM:<a@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            assertThat(c.reply()).startsWith("250-mx.example.org");
            assertThat(c.replies(3)).isEqualTo("250 2.1.0 Sender ok\n250 2.1.5 Recipient ok\n354 End data with <CR><LF>.<CR><LF>\n");
            c.write("Subject: one\r\n\r\nfirst\r\n.\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued as");
            for (String command : List.of("MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA")) {
                c.write(command + "\r\n");
                assertThat(c.reply()).startsWith(command.equals("DATA") ? "354 " : "250 ");
            }
            c.write("Subject: two\r\n\r\nsecond\r\n.\r\nQUIT\r\n");
            assertThat(c.replies(2)).startsWith("250 2.0.0 Ok: queued as").endsWith("221 2.0.0 Bye\n");
        }
        long id = store.accounts().get(Address.parse("alice@example.org")).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            assertThat(drop.messages()).hasSize(2);
        }
    }

    @Test
    void hooksThatMayBlockShouldRunOnWorkersAndTheOthersWhereTheCommandWasRead() throws IOException {
        deliverOnePipelinedAndOneStepByStep(new Recorder() {
            @Override
            public boolean mayBlock(Stage stage, SessionInfo session) {
                return stage == Stage.RCPT || stage == Stage.END_OF_DATA;
            }
        });

        assertThat(threads.get(SmtpPolicy.Stage.RCPT)).hasSize(2).allMatch(t -> t.contains("-session-"));
        assertThat(threads.get(SmtpPolicy.Stage.END_OF_DATA)).hasSize(2).allMatch(t -> t.contains("-session-"));
        assertThat(threads.get(SmtpPolicy.Stage.CONNECT)).singleElement().asString().doesNotContain("-session-");
        assertThat(threads.get(SmtpPolicy.Stage.HELO)).singleElement().asString().doesNotContain("-session-");
        // the pipelined MAIL follows EHLO in the same read; the second may find the worker still
        // finishing the first message (a hand-off then, not a failure)
        assertThat(threads.get(SmtpPolicy.Stage.MAIL)).hasSize(2).first().asString().doesNotContain("-session-");
    }

    /** Hooks that never block, then several transactions one command at a time. */
    private List<String> rcptThreadsOfStepByStepTransactions(MailStore store) throws IOException {
        server = SmtpServer.builder().hostname("mx.example.org").store(store).policy(new Recorder() {
            @Override
            public boolean mayBlock(Stage stage, SessionInfo session) {
                return false;
            }
        }).mx(0).start();
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX))) {
            assertThat(c.reply()).startsWith("220 ");
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).startsWith("250-mx.example.org");
            for (int i = 0; i < 5; i++) {
                for (String command : List.of("MAIL FROM:<a@elsewhere.test>", "RCPT TO:<alice@example.org>", "DATA")) {
                    c.write(command + "\r\n");
                    assertThat(c.reply()).startsWith(command.equals("DATA") ? "354 " : "250 ");
                }
                c.write("Subject: " + i + "\r\n\r\nbody\r\n.\r\n");
                assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued as");
            }
        }
        return threads.get(SmtpPolicy.Stage.RCPT);
    }

    @Test
    void aRecipientTheStoreRemembersShouldBeAnsweredWhereItWasRead() throws IOException {
        List<String> rcpt = rcptThreadsOfStepByStepTransactions(store);
        // the first RCPT looks up whether the domain is ours; later ones find it remembered, and
        // the in-memory store always answers from memory (one may still find the worker busy
        // finishing the message before it: a hand-off then, not a failure)
        assertThat(rcpt).hasSize(5);
        assertThat(rcpt.get(0)).contains("-session-");
        assertThat(rcpt.subList(1, 5)).anyMatch(t -> !t.contains("-session-"));
    }

    @Test
    void aRecipientTheStoreWouldLookUpShouldBeAnsweredOnAWorker() throws IOException {
        MailStore forgetful = new ForwardingMailStore(store) {
            @Override
            public Deliveries deliveries() {
                Deliveries real = delegate().deliveries();
                return envelope -> new ForwardingDelivery(real.begin(envelope)) {
                    @Override
                    public boolean remembers(Address recipient) {
                        return false;
                    }
                };
            }
        };
        assertThat(rcptThreadsOfStepByStepTransactions(forgetful)).hasSize(5).allMatch(t -> t.contains("-session-"));
    }

    @Test
    void aHookThatDoesNotSayShouldAlwaysRunOnWorkers() throws IOException {
        deliverOnePipelinedAndOneStepByStep(new Recorder());

        assertThat(threads).hasSize(5);
        assertThat(threads.values()).allSatisfy(names -> assertThat(names).allMatch(t -> t.contains("-session-")));
    }
}
