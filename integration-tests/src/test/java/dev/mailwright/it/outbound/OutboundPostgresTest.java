package dev.mailwright.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.outbound.MapMxResolver;
import dev.mailwright.outbound.OutboundConfig;
import dev.mailwright.outbound.OutboundWorker;
import dev.mailwright.outbound.testing.Receiver;
import dev.mailwright.outbound.testing.ScriptedServer;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The worker on a real PostgreSQL: several workers share one queue, and the queue outlives a restart. */
class OutboundPostgresTest {

    /** Argon2id at a test cost: the accounts here are only DSN recipients. */
    private static final PasswordHashing HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());

    private static TestDatabase database;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private MutableClock clock;
    private MapMxResolver mx;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabases.fresh();
    }

    @BeforeEach
    void setUp() {
        database.truncate();
        clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        mx = new MapMxResolver();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    /** A store as one server node has it: its own pool on the shared database. */
    private MailStore node() {
        HikariDataSource pool = closeLater(database.pool(6));
        return new PostgresMailStore(pool, clock, HASHING);
    }

    private OutboundConfig config(int batch) {
        return OutboundConfig.builder("out.example.org").batchSize(batch).concurrency(4)
                .timeouts(OutboundConfig.Timeouts.all(Duration.ofSeconds(20))).delayWarningAfter(null).build();
    }

    private static void queue(MailStore store, int n) {
        for (int i = 0; i < n; i++) {
            queue(store, Envelope.of(Optional.of(Address.parse("ann@example.org")), Instant.EPOCH),
                    "From: ann@example.org\r\nMessage-ID: <n" + i + "@example.org>\r\nSubject: " + i + "\r\n\r\nbody " + i
                            + "\r\n", RemoteRecipient.of(Address.parse("x@remote.test")));
        }
    }

    private static void queue(MailStore store, Envelope envelope, String content, RemoteRecipient... to) {
        try (Delivery d = store.deliveries().begin(envelope)) {
            for (RemoteRecipient r : to) {
                d.addRemote(r);
            }
            d.content().write(content.getBytes(StandardCharsets.UTF_8));
            d.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void twoWorkersOnOneDatabaseNeverDeliverTheSameItemTwice() throws Exception {
        Receiver rx = closeLater(Receiver.mx("mx.remote.test"));
        mx.add("remote.test", "127.0.0.1", rx.port());
        MailStore first = node();
        MailStore second = node();
        first.domains().add("example.org");
        queue(first, 40);
        OutboundWorker a = closeLater(new OutboundWorker(first, mx, config(3), clock));
        OutboundWorker b = closeLater(new OutboundWorker(second, mx, config(3), clock));

        ExecutorService both = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> runs = new ArrayList<>();
            for (OutboundWorker w : List.of(a, b)) {
                Callable<Integer> drain = () -> {
                    int handled = 0;
                    int n;
                    while ((n = w.runOnce()) > 0) {
                        handled += n;
                    }
                    return handled;
                };
                runs.add(both.submit(drain));
            }
            int total = 0;
            for (Future<Integer> f : runs) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(40);
        } finally {
            both.shutdownNow();
        }

        List<String> ids = new ArrayList<>();
        Pattern id = Pattern.compile("Message-ID: <(n\\d+)@example.org>");
        for (Receiver.Received r : rx.received()) {
            Matcher m = id.matcher(r.text());
            assertThat(m.find()).isTrue();
            ids.add(m.group(1));
        }
        assertThat(ids).hasSize(40).doesNotHaveDuplicates();
        assertThat(first.queue().list()).isEmpty();
    }

    @Test
    void twoWorkersFinishingTheRecipientsOfOneMessageSendExactlyOneDsn() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(n -> "550 5.1.1 no such user")));
        mx.add("remote.test", "127.0.0.1", server.port());
        MailStore first = node();
        MailStore second = node();
        first.domains().add("example.org");
        Account ann = first.accounts().add(Address.parse("ann@example.org"), "secret-password".toCharArray());
        int messages = 12;
        for (int m = 0; m < messages; m++) {
            RemoteRecipient[] to = new RemoteRecipient[4];
            for (int r = 0; r < to.length; r++) {
                to[r] = RemoteRecipient.of(Address.parse("r" + r + "-m" + m + "@remote.test"));
            }
            queue(first, Envelope.of(Optional.of(ann.address()), clock.instant()),
                    "From: ann@example.org\r\nSubject: " + m + "\r\n\r\nbody\r\n", to);
        }
        // batches of 3 split every message of 4 recipients between claims, and so between the workers
        OutboundWorker a = closeLater(new OutboundWorker(first, mx, config(3), clock));
        OutboundWorker b = closeLater(new OutboundWorker(second, mx, config(3), clock));
        ExecutorService both = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (OutboundWorker w : List.of(a, b)) {
                runs.add(both.submit(() -> {
                    while (w.runOnce() > 0) {
                        // drain
                    }
                }));
            }
            for (Future<?> f : runs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            both.shutdownNow();
        }

        List<MessageInfo> dsns = first.mailboxes().list(ann.id());
        assertThat(dsns).hasSize(messages);
        for (MessageInfo dsn : dsns) {
            String text;
            try (InputStream in = first.mailboxes().open(ann.id(), dsn.uid())) {
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            Matcher subject = Pattern.compile("Subject: (\\d+)").matcher(text.substring(text.indexOf("rfc822-headers")));
            assertThat(subject.find()).isTrue();
            for (int r = 0; r < 4; r++) {
                assertThat(text).containsOnlyOnce("Final-Recipient: rfc822; r" + r + "-m" + subject.group(1) + "@");
            }
        }
        assertThat(first.queue().list()).isEmpty();
    }

    @Test
    void pendingRetrySurvivesARestart() throws Exception {
        ScriptedServer server = closeLater(new ScriptedServer(ScriptedServer.rcpt(
                n -> n == 1 ? "452 4.2.2 mailbox full for now" : "250 2.1.5 ok")));
        mx.add("remote.test", "127.0.0.1", server.port());
        HikariDataSource firstPool = database.pool(4);
        MailStore before = new PostgresMailStore(firstPool, clock, HASHING);
        before.domains().add("example.org");
        queue(before, 1);
        try (OutboundWorker worker = new OutboundWorker(before, mx, config(10), clock)) {
            assertThat(worker.runOnce()).isEqualTo(1);
        }
        before.close();
        firstPool.close();

        MailStore after = node();
        QueueItem waiting = after.queue().list().get(0);
        assertThat(waiting.state()).isEqualTo(QueueItem.State.QUEUED);
        assertThat(waiting.attempts()).isEqualTo(1);
        assertThat(waiting.lastError()).hasValueSatisfying(e -> assertThat(e).contains("452 4.2.2"));
        OutboundWorker worker = closeLater(new OutboundWorker(after, mx, config(10), clock));
        assertThat(worker.runOnce()).as("not due yet").isZero();
        clock.advance(Duration.ofMinutes(5));
        assertThat(worker.runOnce()).isEqualTo(1);

        assertThat(server.messages()).hasSize(1);
        assertThat(after.queue().list()).isEmpty();
    }
}
