package dev.mailwright.store.postgres.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.SchemaMigrator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Deliveries per second into PostgreSQL through {@link PostgresMailStore}: each delivery has
 * one local recipient (one of 100 mailboxes, chosen at random, like pg-ceiling.sh's
 * "maillike"), checks the quota at RCPT time, and is committed before the next one starts.
 * Content is random base64 in 76-column lines, which PostgreSQL cannot compress (like the
 * random body of pg-ceiling.sh). Not a test: run it by hand beside {@code pg-ceiling.sh}.
 *
 * <pre>
 * java -cp ... dev.mailwright.store.postgres.bench.DeliveryBench \
 *     --url jdbc:postgresql://127.0.0.1:15432/mailwright_bench --user postgres \
 *     --sizes 1024,102400 --threads 1,4,16 --seconds 10 --repeats 1
 * </pre>
 *
 * The database is created when missing, migrated, and emptied before each run; a
 * CHECKPOINT is taken before each run, as pg-ceiling.sh does.
 */
public final class DeliveryBench {

    private DeliveryBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:15432/mailwright_bench";
        String user = "postgres";
        String password = null;
        int[] sizes = {1024, 102400};
        int[] threads = {1, 4, 16};
        int seconds = 10;
        int warmup = 3;
        int repeats = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--url" -> url = args[++i];
                case "--user" -> user = args[++i];
                case "--password" -> password = args[++i];
                case "--sizes" -> sizes = ints(args[++i]);
                case "--threads" -> threads = ints(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        createDatabase(url, user, password);
        PostgresMailStore.Settings settings = new PostgresMailStore.Settings(url, Optional.of(user),
                Optional.ofNullable(password), Arrays.stream(threads).max().orElse(1) + 2, Duration.ofSeconds(30));
        try (HikariDataSource pool = new HikariDataSource(PostgresMailStore.poolConfig(settings))) {
            new SchemaMigrator(pool).migrate();
            System.out.println("# " + query(pool, "SELECT version()"));
            System.out.println("# " + query(pool, "SELECT string_agg(name || '=' || current_setting(name), ' ')"
                    + " FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method',"
                    + " 'full_page_writes', 'shared_buffers', 'commit_delay')"));
            System.out.println("# cores=" + Runtime.getRuntime().availableProcessors() + " java="
                    + System.getProperty("java.version"));
            PostgresMailStore store = new PostgresMailStore(pool, Clock.systemUTC(), new PasswordHashing());
            List<Account> accounts = setUp(pool, store);
            for (int size : sizes) {
                byte[] content = content(size);
                for (int t : threads) {
                    List<Double> rates = new ArrayList<>();
                    for (int r = 1; r <= repeats; r++) {
                        reset(pool);
                        run(store, accounts, content, t, warmup); // warm up the JIT, the pool and the plans
                        reset(pool);
                        CpuMeter cpu = new CpuMeter(pool);
                        double rate = run(store, accounts, content, t, seconds);
                        long delivered = Math.round(rate * seconds);
                        rates.add(rate);
                        System.out.printf("RESULT mailwright size=%d threads=%d rep=%d secs=%d msg_per_s=%.0f MB_per_s=%.1f"
                                        + " cpu_us_per_msg_java=%.0f cpu_us_per_msg_postgres=%.0f%n",
                                size, t, r, seconds, rate, rate * size / 1e6, cpu.javaMicros() / (double) delivered,
                                cpu.postgresMicros() / (double) delivered);
                    }
                    rates.sort(Double::compare);
                    double median = rates.size() % 2 == 1 ? rates.get(rates.size() / 2)
                            : (rates.get(rates.size() / 2 - 1) + rates.get(rates.size() / 2)) / 2;
                    System.out.printf("SUMMARY mailwright size=%d threads=%d runs=%d median_msg_per_s=%.0f min=%.0f max=%.0f%n",
                            size, t, rates.size(), median, rates.get(0), rates.get(rates.size() - 1));
                }
            }
            reset(pool);
        }
    }

    private static double run(PostgresMailStore store, List<Account> accounts, byte[] content, int threads, int seconds)
            throws InterruptedException {
        LongAdder done = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    Optional<Address> sender = Optional.of(Address.parse("sender@remote.test"));
                    while (!stop.get()) {
                        Account to = accounts.get(random.nextInt(accounts.size()));
                        try (Delivery d = store.deliveries().begin(Envelope.of(sender, Clock.systemUTC().instant()))) {
                            d.addLocal(new LocalRecipient(to.id(), to.address()), content.length);
                            d.content().write(content);
                            d.commit();
                        }
                        done.increment();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    failures.add(new UncheckedIOException(e));
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }, "bench-" + i);
            workers.add(w);
            w.start();
        }
        long t0 = System.nanoTime();
        start.countDown();
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        long count = done.sum();
        long t1 = System.nanoTime();
        for (Thread w : workers) {
            w.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException("deliveries failed", failures.get(0));
        }
        return count / ((t1 - t0) / 1e9);
    }

    /**
     * CPU time spent by this JVM and by the PostgreSQL server processes (backends and helpers,
     * from pg_stat_activity and /proc) since construction: a figure that other load on the
     * machine does not distort, unlike a rate. Linux only; zero where /proc is missing.
     */
    private static final class CpuMeter {
        private static final long TICK_MICROS = 10_000; // USER_HZ = 100 on Linux
        private final List<Long> pids = new ArrayList<>();
        private final long java0;
        private final long pg0;

        CpuMeter(HikariDataSource pool) throws SQLException {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity")) {
                while (rs.next()) {
                    pids.add(rs.getLong(1));
                }
            }
            java0 = javaNanos();
            pg0 = postgresTicks();
        }

        long javaMicros() {
            return (javaNanos() - java0) / 1000;
        }

        long postgresMicros() {
            return (postgresTicks() - pg0) * TICK_MICROS;
        }

        private static long javaNanos() {
            return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                    .getOperatingSystemMXBean()).getProcessCpuTime();
        }

        private long postgresTicks() {
            long ticks = 0;
            for (long pid : pids) {
                try {
                    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
                } catch (IOException | RuntimeException e) {
                    // the process ended, or no /proc
                }
            }
            return ticks;
        }
    }

    private static List<Account> setUp(HikariDataSource pool, PostgresMailStore store) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE domains, accounts, aliases, messages, message_chunks, mailbox_entries,"
                    + " maildrop_locks, queue RESTART IDENTITY CASCADE");
        }
        store.domains().add("bench.test");
        List<Account> accounts = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            accounts.add(store.accounts().addWithHash(Address.parse("user" + i + "@bench.test"), "{PLAIN}pass" + i));
        }
        return accounts;
    }

    private static void reset(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("TRUNCATE messages, message_chunks, mailbox_entries, queue");
            s.execute("UPDATE accounts SET messages = 0, bytes = 0");
            s.execute("CHECKPOINT");
        }
    }

    /** {@code size} octets of a header and random base64 lines. */
    private static byte[] content(int size) {
        StringBuilder sb = new StringBuilder("From: sender@remote.test\r\nTo: user@bench.test\r\nSubject: bench\r\n"
                + "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n");
        Random random = new Random(size);
        byte[] raw = new byte[57];
        while (sb.length() < size) {
            random.nextBytes(raw);
            sb.append(Base64.getEncoder().encodeToString(raw)).append("\r\n");
        }
        sb.setLength(size - 2);
        sb.append("\r\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void createDatabase(String url, String user, String password) throws SQLException {
        int slash = url.indexOf('/', "jdbc:postgresql://".length());
        int query = url.indexOf('?');
        String name = url.substring(slash + 1, query < 0 ? url.length() : query);
        Properties p = new Properties();
        p.setProperty("user", user);
        if (password != null) {
            p.setProperty("password", password);
        }
        try (Connection c = DriverManager.getConnection(url.substring(0, slash) + "/postgres", p);
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + name);
        }
    }

    private static String query(HikariDataSource pool, String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
