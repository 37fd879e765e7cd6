package dev.mailwright.store.postgres.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.SchemaMigrator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Deliveries per second into PostgreSQL through {@link PostgresMailStore}: each delivery is a
 * whole store transaction (content, one mailbox entry with UID and UIDL, counters and quota),
 * committed durably. Run it beside {@code ../shared/bench/pg-ceiling.sh} on the same cluster:
 *
 * <pre>
 * mvn -q -pl store/store-postgres test-compile org.codehaus.mojo:exec-maven-plugin:3.6.2:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.mailwright.store.postgres.bench.DeliveryBenchmark \
 *     -Dexec.args="jdbc:postgresql://127.0.0.1:15432/ postgres - 1024,102400 1,4,16 30 3"
 * </pre>
 *
 * Arguments: server JDBC URL (ending in /), user, password ({@code -} for none), body sizes, thread counts,
 * seconds per run, runs. It creates (and drops) the database {@code mailwright_bench}. Each
 * thread delivers to its own mailbox, as an MX does for different recipients; random bodies,
 * so nothing compresses. Prints one RESULT line per run and a SUMMARY (median) per case.
 */
public final class DeliveryBenchmark {

    private DeliveryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        String server = args[0];
        String user = args[1];
        String password = args[2].equals("-") ? "" : args[2];
        int[] sizes = Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray();
        int[] threads = Arrays.stream(args[4].split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = Integer.parseInt(args[5]);
        int runs = Integer.parseInt(args[6]);
        recreate(server, user, password);
        String url = server + "mailwright_bench";
        PGSimpleDataSource migration = new PGSimpleDataSource();
        migration.setURL(url);
        migration.setUser(user);
        migration.setPassword(password);
        new SchemaMigrator(migration).migrate();
        try (PostgresMailStore store = PostgresMailStore.open(new PostgresMailStore.Settings(url, Optional.of(user),
                        Optional.of(password), 20, Duration.ofSeconds(30)), Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()), null)) {
            store.domains().add("bench.test");
            List<Account> accounts = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                accounts.add(store.accounts().add(Address.parse("box" + i + "@bench.test"), "password".toCharArray()));
            }
            for (int size : sizes) {
                for (int n : threads) {
                    double[] rates = new double[runs];
                    for (int r = 0; r < runs; r++) {
                        checkpoint(url, user, password);
                        rates[r] = run(store, accounts, size, n, seconds);
                        System.out.printf("RESULT size=%d threads=%d run=%d deliveries/s=%.0f%n", size, n, r + 1, rates[r]);
                    }
                    Arrays.sort(rates);
                    System.out.printf("SUMMARY size=%d threads=%d median=%.0f min=%.0f max=%.0f%n", size, n,
                            rates[runs / 2], rates[0], rates[runs - 1]);
                }
            }
        }
    }

    private static double run(PostgresMailStore store, List<Account> accounts, int size, int threads, int seconds)
            throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Account a = accounts.get(t);
            Thread worker = new Thread(() -> {
                Random random = new Random();
                byte[] body = new byte[size];
                try {
                    while (!stop.get()) {
                        for (int i = 0; i < body.length; i++) {
                            body[i] = (byte) ('A' + random.nextInt(26)); // printable, incompressible enough
                        }
                        boolean counted = measuring.get();
                        deliver(store, a, body, counted);
                        if (counted) {
                            done.increment();
                        }
                    }
                } finally {
                    finished.countDown();
                }
            }, "bench-" + t);
            worker.start();
        }
        Thread.sleep(2_000); // warm-up: JIT, pool connections
        RESOLVE_NANOS.reset();
        COMMIT_NANOS.reset();
        measuring.set(true);
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long count = done.sum();
        long elapsed = System.nanoTime() - t0;
        stop.set(true);
        finished.await();
        long measured = Math.max(1, done.sum());
        System.out.printf("PHASES threads=%d resolve=%.0fus commit=%.0fus (mean per delivery)%n", threads,
                RESOLVE_NANOS.sum() / 1e3 / measured, COMMIT_NANOS.sum() / 1e3 / measured);
        return count / (elapsed / 1e9);
    }

    /** Nanoseconds spent in RCPT's resolution and in the commit, over all measured deliveries. */
    private static final LongAdder RESOLVE_NANOS = new LongAdder();
    private static final LongAdder COMMIT_NANOS = new LongAdder();

    private static void deliver(PostgresMailStore store, Account a, byte[] body, boolean measuring) {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()))) {
            long t0 = System.nanoTime();
            d.addRecipient(a.address(), 0L); // as SMTP RCPT does: resolution and quota check, one round trip
            long t1 = System.nanoTime();
            d.content().write("Subject: bench\r\n\r\n".getBytes(US_ASCII));
            d.content().write(body);
            long t2 = System.nanoTime();
            d.commit();
            if (measuring) {
                RESOLVE_NANOS.add(t1 - t0);
                COMMIT_NANOS.add(System.nanoTime() - t2);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void recreate(String server, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(server + "postgres", user, password);
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS mailwright_bench");
            s.execute("CREATE DATABASE mailwright_bench");
        }
    }

    private static void checkpoint(String url, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password); Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }
}
