package dev.mailwright.it.fault;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.Eventually;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.TestMessages;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.store.postgres.embedded.PrimaryAndStandby;
import java.io.Reader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The primary PostgreSQL crashes under a running server and its synchronous standby is promoted:
 * the server, given both through a multi-host URL with {@code targetServerType=primary}, goes on
 * by itself. SMTP clients send all along; while there is no primary they get {@code 451 4.3.0}
 * and a POP3 session gets {@code -ERR [SYS/TEMP]}, never a permanent error or no answer; after
 * the promotion the same sessions work again, and every message that got a 250 is in the
 * maildrop on the new primary, intact and once. A primary that hangs instead (its port still
 * takes connections, nothing answers) is left after {@code database.socket-timeout}.
 * deploy/README.md "PostgreSQL failover", ADR 0021.
 */
@Timeout(300)
class FailoverTest {

    private static final int SENDERS = 2;
    /** Accepted messages each sender needs before the crash and again after the promotion. */
    private static final int ACCEPTED_PER_PHASE = 10;
    private static final Duration PHASE_LIMIT = Duration.ofSeconds(60);
    private static final String BOB = "bob@example.org";
    private static final String BOB_PASSWORD = "bob-password-22";

    @TempDir
    Path dataDir;

    /** What the SMTP senders saw: the reply to each message, by message id, and each phase's counts. */
    private static final class Sent {
        final Map<String, String> replies = new ConcurrentHashMap<>();
        final List<String> unexpected = new CopyOnWriteArrayList<>();
        final AtomicLong acceptedSincePromotion = new AtomicLong();
        final AtomicLong temporaryFailures = new AtomicLong();
        final AtomicLongArray temporaryFailuresBySender = new AtomicLongArray(SENDERS + 1);
        final AtomicLong longestReplyMillis = new AtomicLong();
        final AtomicBoolean promoted = new AtomicBoolean();
        final AtomicBoolean stop = new AtomicBoolean();

        long accepted() {
            return replies.values().stream().filter(r -> r.startsWith("250")).count();
        }
    }

    /** Sends one message after another in one session, as an MTA would, until told to stop. */
    private static Void send(int sender, Map<String, Integer> ports, Sent sent) throws Exception {
        Random random = new Random(sender);
        SMTPClient smtp = MailClients.mx(ports);
        try {
            for (int n = 1; !sent.stop.get(); n++) {
                String id = "s" + sender + "-" + n;
                String message = TestMessages.build(id, "sender@outside.test", BOB, 1_000 + random.nextInt(3_000), random);
                long start = System.nanoTime();
                String reply = MailClients.transaction(smtp, BOB, message).trim();
                sent.longestReplyMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
                        Math::max);
                sent.replies.put(id, reply);
                if (reply.startsWith("250")) {
                    if (sent.promoted.get()) {
                        sent.acceptedSincePromotion.incrementAndGet();
                    }
                } else if (reply.startsWith("451 4.3.0")) {
                    sent.temporaryFailures.incrementAndGet();
                    sent.temporaryFailuresBySender.incrementAndGet(sender);
                    Thread.sleep(100); // an MTA would wait far longer before its next try
                } else {
                    sent.unexpected.add(id + ": " + reply);
                }
            }
            smtp.logout();
        } finally {
            smtp.disconnect();
        }
        return null;
    }

    /** RETR of the first message, over and over in one session: each answer's first line. */
    private static Void read(POP3Client pop3, List<String> answers, AtomicBoolean stop) throws Exception {
        while (!stop.get()) {
            Reader r = pop3.retrieveMessage(1);
            if (r != null) {
                MailClients.readAll(r);
            }
            String reply = pop3.getReplyString().trim();
            answers.add(reply.startsWith("+OK") ? "+OK" : reply);
            Thread.sleep(50);
        }
        return null;
    }

    @Test
    void crashingThePrimaryAndPromotingTheStandbyLosesNoAcceptedMessage() throws Exception {
        try (PrimaryAndStandby pg = PrimaryAndStandby.start("mailwright")) {
            Map<String, String> env = TestServers.env(dataDir, pg.multiHostUrl("connectTimeout=5"), pg.user(), pg.password());
            ExecutorService clients = Executors.newFixedThreadPool(SENDERS + 1);
            try (MailwrightServer server = TestServers.start(env)) {
                Map<String, Integer> ports = server.ports();
                admin(env, null, "domain", "add", "example.org");
                addUser(env, BOB, BOB_PASSWORD);

                Sent sent = new Sent();
                List<Future<Void>> senders = new ArrayList<>();
                for (int s = 1; s <= SENDERS; s++) {
                    int sender = s;
                    senders.add(clients.submit(() -> send(sender, ports, sent)));
                }
                Eventually.until("messages accepted before the crash", PHASE_LIMIT,
                        () -> sent.accepted() >= (long) SENDERS * ACCEPTED_PER_PHASE);

                POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, ports, BOB, BOB_PASSWORD);
                List<String> pop3Answers = new CopyOnWriteArrayList<>();
                AtomicBoolean stopReading = new AtomicBoolean();
                Future<Void> reader = clients.submit(() -> read(pop3, pop3Answers, stopReading));

                pg.crashPrimary();
                long crashed = System.nanoTime();
                // there is no primary until every client has had its temporary error, and one sender
                // and the POP3 session a second one: their connections were cut first, then the pool
                // found only the standby (which it must not write to)
                Eventually.until("SMTP answers 451 and POP3 -ERR [SYS/TEMP] without a primary", PHASE_LIMIT,
                        () -> IntStream.rangeClosed(1, SENDERS).allMatch(s -> sent.temporaryFailuresBySender.get(s) >= 1)
                                && IntStream.rangeClosed(1, SENDERS).anyMatch(s -> sent.temporaryFailuresBySender.get(s) >= 2)
                                && pop3Answers.stream().filter(a -> a.startsWith("-ERR [SYS/TEMP]")).count() >= 2);
                long beforePromotion = pop3Answers.size();
                pg.promoteStandby();
                long promoted = System.nanoTime();
                sent.promoted.set(true);

                Eventually.until("messages accepted after the promotion", PHASE_LIMIT,
                        () -> sent.acceptedSincePromotion.get() >= (long) SENDERS * ACCEPTED_PER_PHASE);
                Eventually.until("POP3 RETR works again in the same session", PHASE_LIMIT,
                        () -> pop3Answers.subList((int) beforePromotion, pop3Answers.size()).contains("+OK")
                                && pop3Answers.get(pop3Answers.size() - 1).equals("+OK"));
                long recovered = System.nanoTime();
                sent.stop.set(true);
                stopReading.set(true);
                for (Future<Void> f : senders) {
                    f.get(60, TimeUnit.SECONDS);
                }
                reader.get(60, TimeUnit.SECONDS);
                assertThat(pop3.logout()).as(pop3.getReplyString()).isTrue(); // nothing marked: nothing deleted
                pop3.disconnect();

                assertThat(sent.unexpected).as("replies other than 250 and 451 4.3.0").isEmpty();
                assertThat(pop3Answers).as("POP3 answers").allSatisfy(a ->
                        assertThat(a).matches("\\+OK|-ERR \\[SYS/TEMP\\] .*"));

                Map<String, Integer> stored = storedIds(ports);
                List<String> acceptedIds = sent.replies.entrySet().stream().filter(e -> e.getValue().startsWith("250"))
                        .map(Map.Entry::getKey).toList();
                assertThat(stored.keySet()).as("every accepted message is on the new primary").containsAll(acceptedIds);
                assertThat(stored.values()).as("no message stored twice").allMatch(count -> count == 1);
                assertThat(sent.replies.keySet()).as("nothing stored that was not sent").containsAll(stored.keySet());
                long refusedButStored = stored.keySet().stream()
                        .filter(id -> !sent.replies.get(id).startsWith("250")).count();
                System.out.printf("failover: %d messages sent, %d accepted, %d refused with 451 (%d of them stored"
                                + " all the same: the commit reached the standby, the reply did not reach the client);"
                                + " crash to promotion %d ms, promotion to recovery %d ms; longest SMTP transaction"
                                + " %d ms; POP3 answers %s%n",
                        sent.replies.size(), acceptedIds.size(), sent.temporaryFailures.get(), refusedButStored,
                        TimeUnit.NANOSECONDS.toMillis(promoted - crashed),
                        TimeUnit.NANOSECONDS.toMillis(recovered - promoted), sent.longestReplyMillis.get(),
                        summary(pop3Answers));
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void aPrimaryThatGoesSilentIsLeftWithinTheSocketTimeout() throws Exception {
        try (PrimaryAndStandby pg = PrimaryAndStandby.start("mailwright")) {
            Map<String, String> env = TestServers.env(dataDir, pg.multiHostUrl("connectTimeout=5"), pg.user(), pg.password());
            // database.socket-timeout (60s by default) shortened to keep the test short
            env.put("MAILWRIGHT_DATABASE_SOCKET_TIMEOUT", "5s");
            try (MailwrightServer server = TestServers.start(env)) {
                Map<String, Integer> ports = server.ports();
                admin(env, null, "domain", "add", "example.org");
                addUser(env, BOB, BOB_PASSWORD);
                Random random = new Random(60);
                SMTPClient smtp = MailClients.mx(ports);
                List<String> accepted = new ArrayList<>();
                assertThat(MailClients.transaction(smtp, BOB,
                        TestMessages.build("before", "sender@outside.test", BOB, 2_000, random))).startsWith("250");
                accepted.add("before");
                POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, ports, BOB, BOB_PASSWORD);

                // the primary hangs (its port still takes connections, nothing answers on them):
                // the cluster manager promotes the standby
                pg.freezePrimary();
                pg.promoteStandby();

                // every reply comes (a hang would time the client out), and the same sessions recover
                List<String> replies = new ArrayList<>();
                Eventually.until("SMTP accepts mail again", PHASE_LIMIT, () -> {
                    String id = "after-" + replies.size();
                    String reply = MailClients.transaction(smtp, BOB,
                            TestMessages.build(id, "sender@outside.test", BOB, 2_000, random)).trim();
                    replies.add(reply);
                    if (reply.startsWith("250")) {
                        accepted.add(id);
                    }
                    return reply.startsWith("250");
                });
                assertThat(replies).allSatisfy(r -> assertThat(r).matches("(250|451 4\\.3\\.0) .*"));
                List<String> pop3Replies = new ArrayList<>();
                Eventually.until("POP3 RETR works again in the same session", PHASE_LIMIT, () -> {
                    Reader r = pop3.retrieveMessage(1);
                    pop3Replies.add(pop3.getReplyString().trim());
                    return r != null && MailClients.readAll(r) != null;
                });
                assertThat(pop3Replies).allSatisfy(r -> assertThat(r).matches("\\+OK.*|-ERR \\[SYS/TEMP\\] .*"));
                assertThat(pop3.logout()).as(pop3.getReplyString()).isTrue();
                pop3.disconnect();
                smtp.logout();
                smtp.disconnect();

                assertThat(storedIds(ports)).containsOnlyKeys(accepted).allSatisfy((id, count) -> assertThat(count).isOne());
                System.out.printf("silent primary: SMTP replies until recovery %s; POP3 replies %s%n", replies,
                        pop3Replies);
            }
        }
    }

    /** Every message in bob's maildrop by test id, with how often it is there; all must be intact. */
    private static Map<String, Integer> storedIds(Map<String, Integer> ports) throws Exception {
        POP3Client check = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, BOB, BOB_PASSWORD);
        Map<String, Integer> ids = new HashMap<>();
        for (POP3MessageInfo info : check.listMessages()) {
            TestMessages.Identity identity = TestMessages.identify(MailClients.readAll(check.retrieveMessage(info.number)));
            assertThat(identity.intact()).as("message %d (%s) intact", info.number, identity.id()).isTrue();
            ids.merge(identity.id(), 1, Integer::sum);
        }
        check.logout();
        check.disconnect();
        return ids;
    }

    private static Map<String, Long> summary(List<String> answers) {
        Map<String, Long> counts = new HashMap<>();
        for (String a : answers) {
            counts.merge(a.startsWith("+OK") ? "+OK" : "-ERR [SYS/TEMP]", 1L, Long::sum);
        }
        return counts;
    }
}
