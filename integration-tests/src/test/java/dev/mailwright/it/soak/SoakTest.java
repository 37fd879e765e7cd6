package dev.mailwright.it.soak;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.ErrorLog;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.MailClients.SmtpWay;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.TestMessages;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.store.Address;
import dev.mailwright.store.postgres.testing.TestDatabases;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak: concurrent SMTP submission (plain MX, STARTTLS + AUTH, implicit TLS + AUTH) and POP3
 * retrieval and deletion (STLS and implicit TLS, with TOP, and with clients that vanish without
 * QUIT now and then) against one in-process server on PostgreSQL. Every message carries an id
 * and the SHA-256 of its body. At the end: every message acknowledged with 250 was retrieved and
 * deleted exactly once and intact, no other message appeared, the server logged no ERROR, and
 * heap (after GC), open file descriptors and threads are back near where they were after the
 * warm-up.
 *
 * <p>Short by default (30 s of load, for every build); the long form is
 * {@code mvn -pl integration-tests verify -Dtest=SoakTest -Dsoak.duration=10m}.
 */
class SoakTest {

    private static final int MAILBOXES = 4;
    private static final String PASSWORD = "soak-password-1";
    private static final String SENDER = "sender@example.org";

    @TempDir
    Path dataDir;

    private MailwrightServer server;
    private Map<String, Integer> ports;

    /** "35s", "10m", "1h" or ISO-8601 ("PT10M"). */
    static Duration parseDuration(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("p")) {
            return Duration.parse(s.toUpperCase(Locale.ROOT));
        }
        long n = Long.parseLong(s.substring(0, s.length() - 1));
        return switch (s.charAt(s.length() - 1)) {
            case 's' -> Duration.ofSeconds(n);
            case 'm' -> Duration.ofMinutes(n);
            case 'h' -> Duration.ofHours(n);
            default -> throw new IllegalArgumentException("soak.duration: say 35s, 10m or 1h, not " + text);
        };
    }

    /** What one phase of load did. */
    private static final class Ledger {
        final Map<String, String> attempted = new ConcurrentHashMap<>(); // id -> mailbox
        final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        final Set<String> committed = ConcurrentHashMap.newKeySet(); // deleted by a QUIT that answered +OK
        final List<String> problems = new CopyOnWriteArrayList<>();
        final AtomicInteger vanished = new AtomicInteger();
        final AtomicInteger inUse = new AtomicInteger();
        final AtomicInteger sessions = new AtomicInteger();
        final AtomicLong bytes = new AtomicLong();
        volatile boolean submittersDone;

        /** Drops the per-message bookkeeping, so that it does not count as the server's heap. */
        void forgetMessages() {
            attempted.clear();
            acknowledged.clear();
            committed.clear();
        }
    }

    private static String mailbox(int i) {
        return "box" + i + "@example.org";
    }

    // ------------------------------------------------------------------ submitters

    private Void submitOverMx(Ledger ledger, long until, int thread) throws IOException {
        Random random = new Random(thread);
        SMTPClient smtp = null;
        int n = 0;
        try {
            while (System.nanoTime() < until && ledger.problems.isEmpty()) {
                if (smtp == null || n % 20 == 0) {
                    if (smtp != null) {
                        smtp.logout();
                        smtp.disconnect();
                    }
                    smtp = new SMTPClient();
                    smtp.setDefaultTimeout(60_000);
                    smtp.connect("127.0.0.1", ports.get("smtp"));
                    smtp.setSoTimeout(60_000);
                    if (smtp.helo("soak.outside.test") != 250) {
                        ledger.problems.add("HELO: " + smtp.getReplyString());
                        return null;
                    }
                }
                String to = mailbox(random.nextInt(MAILBOXES));
                String id = "mx" + thread + "-" + n++;
                String message = TestMessages.build(id, "someone@outside.test", to, size(random, n), random);
                ledger.attempted.put(id, to);
                if (!smtp.setSender("someone@outside.test") || !smtp.addRecipient(to)) {
                    ledger.problems.add(id + ": " + smtp.getReplyString());
                    return null;
                }
                Writer w = smtp.sendMessageData();
                if (w == null) {
                    ledger.problems.add(id + " DATA: " + smtp.getReplyString());
                    return null;
                }
                w.write(message);
                w.close();
                if (!smtp.completePendingCommand()) {
                    ledger.problems.add(id + " end of data: " + smtp.getReplyString());
                    return null;
                }
                ledger.acknowledged.add(id);
                ledger.bytes.addAndGet(message.length());
            }
            return null;
        } finally {
            if (smtp != null && smtp.isConnected()) {
                smtp.logout();
                smtp.disconnect();
            }
        }
    }

    private Void submitWithJakartaMail(Ledger ledger, long until, int thread, SmtpWay way) throws Exception {
        Random random = new Random(100 + thread);
        Session session = MailClients.smtpSession(way, ports);
        Transport transport = null;
        int n = 0;
        try {
            while (System.nanoTime() < until && ledger.problems.isEmpty()) {
                if (transport == null || n % 20 == 0) {
                    if (transport != null) {
                        transport.close();
                    }
                    transport = session.getTransport(way.protocol());
                    transport.connect(SENDER, PASSWORD);
                }
                String to = mailbox(random.nextInt(MAILBOXES));
                String id = way.name().toLowerCase(Locale.ROOT) + thread + "-" + n++;
                String message = TestMessages.build(id, SENDER, to, size(random, n), random);
                ledger.attempted.put(id, to);
                MimeMessage m = new MimeMessage(session, new ByteArrayInputStream(message.getBytes(US_ASCII)));
                transport.sendMessage(m, new InternetAddress[] {new InternetAddress(to)}); // throws unless 250
                ledger.acknowledged.add(id);
                ledger.bytes.addAndGet(message.length());
            }
            return null;
        } finally {
            if (transport != null) {
                transport.close();
            }
        }
    }

    /** Mostly a few KiB; every 25th message 256 KiB, over several stored chunks. */
    private static int size(Random random, int n) {
        return n % 25 == 0 ? 256 * 1024 : 200 + random.nextInt(8_000);
    }

    // ------------------------------------------------------------------ retrievers

    private Void retrieve(Ledger ledger, long hardStop, int box) throws Exception {
        String user = mailbox(box);
        int cycle = 0;
        while (System.nanoTime() < hardStop && ledger.problems.isEmpty()) {
            if (ledger.submittersDone && ledger.committed.containsAll(ledger.acknowledged)) {
                return null;
            }
            Pop3Way way = cycle % 2 == 0 ? Pop3Way.STLS : Pop3Way.IMPLICIT_TLS;
            POP3Client pop3 = MailClients.pop3(way, ports);
            try {
                if (!pop3.login(user, PASSWORD)) {
                    if (pop3.getReplyString().startsWith("-ERR [IN-USE]")) {
                        ledger.inUse.incrementAndGet(); // a vanished session of ours has not ended yet
                        Thread.sleep(50);
                        continue;
                    }
                    ledger.problems.add(user + " login: " + pop3.getReplyString());
                    return null;
                }
                ledger.sessions.incrementAndGet();
                POP3MessageInfo[] list = pop3.listMessages();
                if (list == null || list.length == 0) {
                    pop3.logout();
                    Thread.sleep(100); // an empty maildrop: poll again soon
                    continue;
                }
                cycle++;
                List<String> ids = new ArrayList<>();
                for (POP3MessageInfo info : list) {
                    if (cycle % 3 == 0) {
                        String top = MailClients.readAll(pop3.retrieveMessageTop(info.number, 0));
                        if (!top.contains("X-Test-Id: ")) {
                            ledger.problems.add(user + " TOP " + info.number + " without the id header");
                        }
                    }
                    String text = MailClients.readAll(pop3.retrieveMessage(info.number));
                    TestMessages.Identity identity = TestMessages.identify(text);
                    if (identity.id() == null || !identity.intact()) {
                        ledger.problems.add(user + " message " + info.number + " damaged: " + identity);
                    } else if (!user.equals(ledger.attempted.get(identity.id()))) {
                        ledger.problems.add(user + " got " + identity.id() + " meant for "
                                + ledger.attempted.get(identity.id()));
                    }
                    if (text.getBytes(US_ASCII).length != info.size) {
                        ledger.problems.add(user + " " + identity.id() + ": LIST said " + info.size + " octets, RETR sent "
                                + text.length());
                    }
                    ids.add(identity.id());
                    if (!pop3.deleteMessage(info.number)) {
                        ledger.problems.add(user + " DELE: " + pop3.getReplyString());
                    }
                }
                if (cycle % 10 == 0) {
                    ledger.vanished.incrementAndGet();
                    continue; // vanish without QUIT: nothing of this session may be deleted
                }
                if (!pop3.logout()) {
                    ledger.problems.add(user + " QUIT: " + pop3.getReplyString());
                    return null;
                }
                for (String id : ids) {
                    if (!ledger.committed.add(id)) {
                        ledger.problems.add(id + " retrieved and deleted twice");
                    }
                }
            } finally {
                pop3.disconnect();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ a phase

    private Ledger load(Duration duration) throws Exception {
        Ledger ledger = new Ledger();
        long until = System.nanoTime() + duration.toNanos();
        long hardStop = until + Duration.ofMinutes(2).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(3 + MAILBOXES);
        List<Future<Void>> submitters = new ArrayList<>();
        submitters.add(pool.submit(() -> submitOverMx(ledger, until, 0)));
        submitters.add(pool.submit(() -> submitWithJakartaMail(ledger, until, 1, SmtpWay.SUBMISSION_STARTTLS)));
        submitters.add(pool.submit(() -> submitWithJakartaMail(ledger, until, 2, SmtpWay.SUBMISSIONS_IMPLICIT_TLS)));
        List<Future<Void>> retrievers = new ArrayList<>();
        for (int i = 0; i < MAILBOXES; i++) {
            int box = i;
            retrievers.add(pool.submit(() -> retrieve(ledger, hardStop, box)));
        }
        try {
            for (Future<Void> f : submitters) {
                f.get(duration.toSeconds() + 180, TimeUnit.SECONDS);
            }
            ledger.submittersDone = true;
            for (Future<Void> f : retrievers) {
                f.get(duration.toSeconds() + 180, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }
        return ledger;
    }

    // ------------------------------------------------------------------ resources

    private record Resources(long heapAfterGc, long openFiles, long procFds, int threads, String metrics) {
    }

    private Resources resources() throws Exception {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200); // let reference processing and the GC settle between collections
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        long fds;
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            fds = s.count();
        }
        String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + ports.get("metrics") + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        long openFiles = (long) gauge(text, "process_files_open_files");
        return new Resources(heap, openFiles, fds, ManagementFactory.getThreadMXBean().getThreadCount(), text);
    }

    /** The value of the first sample of a Prometheus gauge (without labels beyond the common ones). */
    private static double gauge(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " in /metrics"));
    }

    private static double heapFromMetrics(String metrics) {
        return metrics.lines().filter(l -> l.startsWith("jvm_memory_used_bytes{") && l.contains("area=\"heap\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void concurrentSubmissionAndRetrievalLoseNothingDuplicateNothingAndLeakNothing() throws Exception {
        Duration duration = parseDuration(System.getProperty("soak.duration", "30s"));
        Map<String, String> env = new HashMap<>(TestServers.env(dataDir, TestDatabases.fresh()));
        env.put("MAILWRIGHT_SMTP_MESSAGES_PER_MINUTE_PER_IP", "1000000");
        env.put("MAILWRIGHT_SMTP_USER_MESSAGES_PER_HOUR", "0"); // one account submits for the whole soak
        env.put("MAILWRIGHT_SMTP_USER_RECIPIENTS_PER_HOUR", "0");
        try (ErrorLog log = ErrorLog.attach(); MailwrightServer s = TestServers.start(env)) {
            server = s;
            ports = s.ports();
            admin(env, null, "domain", "add", "example.org");
            addUser(env, SENDER, PASSWORD);
            for (int i = 0; i < MAILBOXES; i++) {
                addUser(env, mailbox(i), PASSWORD);
            }

            Ledger warmUp = load(Duration.ofSeconds(5)); // classes loaded, pools and TLS contexts warm
            assertThat(warmUp.problems).isEmpty();
            warmUp.forgetMessages();
            Resources before = resources();

            long t0 = System.nanoTime();
            Ledger ledger = load(duration);
            double seconds = (System.nanoTime() - t0) / 1e9;
            int acknowledged = ledger.acknowledged.size();
            boolean exactlyOnce = ledger.committed.equals(ledger.acknowledged);
            Set<String> lost = new TreeSet<>(ledger.acknowledged);
            lost.removeAll(ledger.committed);
            Set<String> unexpected = new TreeSet<>(ledger.committed);
            unexpected.removeAll(ledger.acknowledged);
            ledger.forgetMessages();
            Resources after = resources();

            String report = String.format(Locale.ROOT, "soak %s: %d messages (%.1f MiB) acknowledged, %.1f msg/s"
                            + " over %.0f s with the drain; %d POP3 sessions, %d vanished without QUIT, %d [IN-USE] retries;"
                            + " heap after GC %.1f -> %.1f MiB (/metrics heap %.1f -> %.1f MiB);"
                            + " open files %d -> %d (/proc/self/fd %d -> %d); threads %d -> %d; WARN lines %d",
                    duration, acknowledged, ledger.bytes.get() / 1048576.0, acknowledged / seconds, seconds, ledger.sessions.get(), ledger.vanished.get(),
                    ledger.inUse.get(), before.heapAfterGc / 1048576.0, after.heapAfterGc / 1048576.0,
                    heapFromMetrics(before.metrics) / 1048576.0, heapFromMetrics(after.metrics) / 1048576.0,
                    before.openFiles, after.openFiles, before.procFds, after.procFds, before.threads, after.threads,
                    log.warnings());
            System.out.println(report);
            Files.writeString(Path.of("target", "soak-report.txt"), report + System.lineSeparator());

            assertThat(ledger.problems).isEmpty();
            assertThat(acknowledged).as("the load did something").isGreaterThan(20);
            assertThat(lost).as("acknowledged but never retrieved and deleted").isEmpty();
            assertThat(unexpected).as("retrieved and deleted but never acknowledged").isEmpty();
            assertThat(exactlyOnce).isTrue();
            for (int i = 0; i < MAILBOXES; i++) {
                assertThat(s.store().accounts().get(Address.parse(mailbox(i))).orElseThrow().usage().messages())
                        .as(mailbox(i) + " empty at the end").isZero();
            }
            assertThat(s.store().queue().size()).isZero();
            assertThat(log.errors()).as("ERROR lines in the server log").isEmpty();

            // flat: the end is near the start after warm-up, with generous margins for GC and pool noise
            assertThat(after.heapAfterGc).as("heap after GC")
                    .isLessThan(before.heapAfterGc + Math.max(64L << 20, before.heapAfterGc / 2));
            assertThat(after.openFiles).as("open file descriptors (process_files_open_files)")
                    .isLessThan(before.openFiles + 30);
            assertThat(after.procFds).as("/proc/self/fd").isLessThan(before.procFds + 30);
            assertThat(after.threads).as("live threads").isLessThan(before.threads + 30);
        }
    }
}
