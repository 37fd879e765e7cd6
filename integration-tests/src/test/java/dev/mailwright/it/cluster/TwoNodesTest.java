package dev.mailwright.it.cluster;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.it.support.ChildServer;
import dev.mailwright.it.support.Eventually;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.MailClients.SmtpWay;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.postgres.testing.TestDatabases;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several server nodes on one PostgreSQL: maildrop locks, mail and the outbound queue are
 * shared through the database only.
 */
@Timeout(300)
class TwoNodesTest {

    @TempDir
    Path home;

    private static void submit(Map<String, Integer> ports, SmtpWay way, String from, String password, String subject,
                               String... to) throws Exception {
        Session session = MailClients.smtpSession(way, ports);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from == null ? "someone@outside.test" : from));
        for (String t : to) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
        }
        m.setSubject(subject);
        m.setText("body of " + subject + "\n");
        m.saveChanges();
        try (Transport t = session.getTransport(way.protocol())) {
            if (way.authenticated) {
                t.connect(from, password);
            } else {
                t.connect();
            }
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    /** Two launcher processes, different ports, one database; then one of them stops. */
    @Test
    void twoProcessesShareLocksAndMail() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> envA = TestServers.env(home.resolve("a"), db);
        Map<String, String> envB = TestServers.env(home.resolve("b"), db);
        admin(envA, null, "domain", "add", "example.org");
        addUser(envA, "alice@example.org", "alice-password-1");
        addUser(envB, "bob@example.org", "bob-password-22");

        try (ChildServer a = ChildServer.start(envA, home.resolve("a.log"));
             ChildServer b = ChildServer.start(envB, home.resolve("b.log"))) {
            submit(a.ports(), SmtpWay.SUBMISSION_STARTTLS, "alice@example.org", "alice-password-1", "from node A",
                    "bob@example.org");

            POP3Client onA = MailClients.pop3Login(Pop3Way.STLS, a.ports(), "bob@example.org", "bob-password-22");
            POP3Client onB = MailClients.pop3(Pop3Way.IMPLICIT_TLS, b.ports());
            assertThat(onB.login("bob@example.org", "bob-password-22")).isFalse();
            assertThat(onB.getReplyString()).startsWith("-ERR [IN-USE]");
            onB.disconnect();
            assertThat(onA.logout()).isTrue(); // QUIT releases the lock before its +OK
            onA.disconnect();

            POP3Client bob = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, b.ports(), "bob@example.org", "bob-password-22");
            assertThat(bob.status().number).isEqualTo(1);
            assertThat(MailClients.readAll(bob.retrieveMessage(1))).contains("Subject: from node A")
                    .contains("body of from node A");
            assertThat(bob.deleteMessage(1)).isTrue();
            assertThat(bob.logout()).isTrue();
            bob.disconnect();

            POP3Client check = MailClients.pop3Login(Pop3Way.STLS, a.ports(), "bob@example.org", "bob-password-22");
            assertThat(check.status().number).as("deleted through B, gone on A").isZero();
            check.logout();
            check.disconnect();

            // a rolling restart: node A stops (SIGTERM) under a session with a deletion pending; the
            // deletion is not applied and the lock is free at once on B, not only after the 10-minute lease
            submit(b.ports(), SmtpWay.SUBMISSIONS_IMPLICIT_TLS, "alice@example.org", "alice-password-1", "kept",
                    "bob@example.org");
            POP3Client interrupted = MailClients.pop3Login(Pop3Way.STLS, a.ports(), "bob@example.org",
                    "bob-password-22");
            assertThat(interrupted.deleteMessage(1)).isTrue();
            assertThat(a.stop()).isZero();
            interrupted.disconnect();
            POP3Client afterStop = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, b.ports(), "bob@example.org",
                    "bob-password-22");
            assertThat(afterStop.status().number).isEqualTo(1);
            afterStop.logout();
            afterStop.disconnect();
            assertThat(b.stop()).isZero();
        }
    }

    /**
     * Both nodes deliver into one mailbox at once: every message gets its own UIDL, and UIDLs of
     * deleted messages are not handed out again.
     */
    @Test
    void concurrentDeliveryThroughBothNodesGivesDistinctUidlsNeverReused() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> envA = TestServers.env(home.resolve("a"), db);
        Map<String, String> envB = TestServers.env(home.resolve("b"), db);
        try (MailwrightServer a = TestServers.start(envA); MailwrightServer b = TestServers.start(envB)) {
            admin(envA, null, "domain", "add", "example.org");
            addUser(envA, "bob@example.org", "bob-password-22");
            ExecutorService senders = Executors.newFixedThreadPool(4);
            List<Future<Void>> sent = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Map<String, Integer> ports = t % 2 == 0 ? a.ports() : b.ports();
                int thread = t;
                sent.add(senders.submit(() -> {
                    Session session = MailClients.smtpSession(SmtpWay.MX_PLAIN, ports);
                    try (Transport transport = session.getTransport("smtp")) {
                        transport.connect();
                        for (int i = 0; i < 10; i++) {
                            MimeMessage m = new MimeMessage(session);
                            m.setFrom(new InternetAddress("someone@outside.test"));
                            m.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.org"));
                            m.setSubject("thread " + thread + " message " + i);
                            m.setText("hello\n");
                            m.saveChanges();
                            transport.sendMessage(m, m.getAllRecipients());
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : sent) {
                f.get();
            }
            senders.shutdown();

            POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, b.ports(), "bob@example.org", "bob-password-22");
            List<String> first = new ArrayList<>();
            for (POP3MessageInfo info : pop3.listUniqueIdentifiers()) {
                first.add(info.identifier);
                pop3.deleteMessage(info.number);
            }
            assertThat(pop3.logout()).isTrue();
            pop3.disconnect();
            assertThat(first).hasSize(40).doesNotHaveDuplicates();

            submit(a.ports(), SmtpWay.MX_PLAIN, null, null, "after the deletions", "bob@example.org");
            POP3Client again = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, a.ports(), "bob@example.org",
                    "bob-password-22");
            POP3MessageInfo[] now = again.listUniqueIdentifiers();
            assertThat(now).hasSize(1);
            assertThat(first).doesNotContain(now[0].identifier);
            again.logout();
            again.disconnect();
        }
    }

    /**
     * Queue items submitted through either node, claimed by workers of both nodes at once: each
     * item goes to exactly one worker. Store-level claims stand in for the outbound worker,
     * which is not on this branch yet.
     */
    @Test
    void queueItemsAreHandedToExactlyOneWorkerAcrossNodes() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> envA = TestServers.env(home.resolve("a"), db);
        Map<String, String> envB = TestServers.env(home.resolve("b"), db);
        try (MailwrightServer a = TestServers.start(envA); MailwrightServer b = TestServers.start(envB)) {
            admin(envA, null, "domain", "add", "example.org");
            addUser(envA, "alice@example.org", "alice-password-1");
            List<String> outside = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                outside.add("rcpt" + i + "@outside" + (i % 3) + ".test");
            }
            String[] rcpts = outside.toArray(String[]::new);
            for (int m = 0; m < 3; m++) {
                submit(a.ports(), SmtpWay.SUBMISSION_STARTTLS, "alice@example.org", "alice-password-1", "via A " + m, rcpts);
                submit(b.ports(), SmtpWay.SUBMISSIONS_IMPLICIT_TLS, "alice@example.org", "alice-password-1", "via B " + m,
                        rcpts);
            }
            int total = 60;
            assertThat(a.store().queue().size()).isEqualTo(total);

            Map<Long, String> claimedBy = new ConcurrentHashMap<>();
            List<String> doubles = new CopyOnWriteArrayList<>();
            ExecutorService workers = Executors.newFixedThreadPool(6);
            List<Future<Integer>> done = new ArrayList<>();
            for (int w = 0; w < 6; w++) {
                MailStore node = w % 2 == 0 ? a.store() : b.store();
                String worker = (w % 2 == 0 ? "node-a/" : "node-b/") + w;
                done.add(workers.submit(() -> {
                    int mine = 0;
                    while (true) {
                        List<QueueItem> batch = node.queue().claim(worker, 2, Duration.ofMinutes(5));
                        if (batch.isEmpty()) {
                            return mine;
                        }
                        for (QueueItem item : batch) {
                            String earlier = claimedBy.putIfAbsent(item.id(), worker);
                            if (earlier != null) {
                                doubles.add(item.id() + " to " + earlier + " and " + worker);
                            }
                            node.queue().complete(item.id(), worker);
                            mine++;
                        }
                    }
                }));
            }
            int sum = 0;
            for (Future<Integer> f : done) {
                sum += f.get();
            }
            workers.shutdown();
            assertThat(doubles).isEmpty();
            assertThat(sum).isEqualTo(total);
            assertThat(claimedBy).hasSize(total);
            assertThat(claimedBy.values()).anyMatch(w -> w.startsWith("node-a/")).anyMatch(w -> w.startsWith("node-b/"));
            assertThat(b.store().queue().size()).isZero();

            // a node that stops mid-delivery: its item is handed over only when its lease has run out
            submit(a.ports(), SmtpWay.SUBMISSION_STARTTLS, "alice@example.org", "alice-password-1", "handover",
                    "late@outside.test");
            List<QueueItem> onA = a.store().queue().claim("node-a/stalled", 10, Duration.ofSeconds(2));
            assertThat(onA).hasSize(1);
            assertThat(b.store().queue().claim("node-b/1", 10, Duration.ofMinutes(5))).isEmpty();
            List<QueueItem> onB = Eventually.await("node B takes the item after node A's lease", Duration.ofSeconds(30),
                    () -> {
                        List<QueueItem> got = b.store().queue().claim("node-b/1", 10, Duration.ofMinutes(5));
                        return got.isEmpty() ? null : got;
                    });
            assertThat(onB).extracting(QueueItem::id).containsExactly(onA.get(0).id());
            assertThatThrownBy(() -> a.store().queue().complete(onA.get(0).id(), "node-a/stalled"))
                    .isInstanceOf(LeaseLostException.class);
            b.store().queue().complete(onB.get(0).id(), "node-b/1");
            assertThat(a.store().queue().list()).isEmpty();
        }
    }
}
