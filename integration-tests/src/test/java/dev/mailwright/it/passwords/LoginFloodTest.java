package dev.mailwright.it.passwords;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.ChildServer;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.it.support.Tls;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.commons.net.pop3.POP3SClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 wrong-password POP3 logins at once against the real server process, its heap capped at
 * 512 MiB and every hash at Argon2id m=64 MiB: 12.5 GiB if all ran at once. The hash limit lets
 * 2 run (a quarter of the heap, 128 MiB), the rest queue. The server stays up, its RSS stays
 * under {@link #RSS_BOUND_MIB}, a right login from another address succeeds while the flood
 * queues, and sessions that need no hash are served at once.
 *
 * <p>The flood comes from 200 loopback addresses (127.0.1.1-200), one wrong guess each, half
 * for real accounts and half for unknown users (the dummy hash, the same work), so no
 * per-address or per-account throttle keeps a guess from being hashed.
 */
@Timeout(600)
class LoginFloodTest {

    private static final int FLOOD = 200;
    private static final int HEAP_MIB = 512;
    /**
     * Heap (512) + hashes (128: their budget, native with libsodium, inside the heap with Java)
     * + 384 for the rest of the JVM (metaspace, code cache, GC tables, the stacks of ~250
     * threads; 200-250 MiB measured here when idle). Without the limit the 200 hashes alone
     * would want 12.5 GiB.
     */
    private static final long RSS_BOUND_MIB = HEAP_MIB + 128 + 384;

    @TempDir
    Path home;

    @Test
    void twoHundredWrongPasswordsAtOnceQueueInBoundedMemoryWhileOthersAreServed() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> env = new HashMap<>(TestServers.env(home.resolve("data"), db));
        env.put("MAILWRIGHT_PASSWORDS_ARGON2_MEMORY", "64MiB");
        env.put("MAILWRIGHT_PASSWORDS_ARGON2_ITERATIONS", "1");
        env.put("MAILWRIGHT_POP3_PLAINTEXT_WITHOUT_TLS", "true"); // 200 TLS handshakes would only slow the flood
        env.put("JAVA_OPTS", "-Xmx" + HEAP_MIB + "m -XX:TieredStopAtLevel=1");
        admin(env, null, "domain", "add", "example.org");
        addUser(env, "ann@example.org", "ann-password-1");
        // 100 accounts sharing one hash at the server's cost, made here once
        String hash = new PasswordHashing(new PasswordHashing.Argon2Cost(65_536, 1, 1), new SecureRandom())
                .hash("their-password".toCharArray());
        Path passwd = Files.writeString(home.resolve("passwd"), IntStream.range(0, FLOOD / 2)
                .mapToObj(i -> "user" + i + "@example.org:" + hash + "\n").collect(Collectors.joining()));
        admin(env, null, "import", "passwd-file", passwd.toString());

        try (ChildServer server = ChildServer.start(env, home.resolve("server.log"))) {
            Map<String, Integer> ports = server.ports();
            assertThat(server.log()).contains("password hashes: Argon2id m=65536 KiB");
            MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, "ann@example.org", "ann-password-1").logout();
            long idleRss = rssMib(server.pid());

            AtomicLong peakRss = new AtomicLong(idleRss);
            ExecutorService clients = Executors.newFixedThreadPool(FLOOD + 1);
            try {
                clients.submit(() -> {
                    while (!Thread.currentThread().isInterrupted()) {
                        peakRss.accumulateAndGet(rssMib(server.pid()), Math::max);
                        Thread.sleep(50);
                    }
                    return null;
                });
                List<Future<String>> flood = new ArrayList<>();
                List<Socket> sent = java.util.Collections.synchronizedList(new ArrayList<>());
                for (int i = 0; i < FLOOD; i++) {
                    String user = i % 2 == 0 ? "user" + i / 2 + "@example.org" : "nobody" + i + "@example.org";
                    InetAddress from = InetAddress.getByName("127.0.1." + (i + 1));
                    flood.add(clients.submit(() -> wrongLogin(from, ports.get("pop3"), user, sent)));
                }
                while (sent.size() < FLOOD) { // every wrong PASS is on its way before the right login starts
                    Thread.sleep(20);
                }

                // sessions during the flood: a new one that needs no hash, and ann with the right password,
                // who waits her turn behind the guesses that came first (up to the limit's 2 minutes)
                Future<String> greeting = clients.submit(() -> timed(() -> greetAndCapa(ports.get("pop3"))));
                Future<String> annLogin = clients.submit(() -> timed(() -> rightLogin(ports.get("pop3s"))));
                String greeted = outcome(greeting);
                String ann = outcome(annLogin);
                List<String> replies = new ArrayList<>();
                for (Future<String> f : flood) {
                    replies.add(outcome(f));
                }
                long peak = peakRss.get();
                System.out.printf("flood: idle RSS %d MiB, peak %d MiB; new session: %s; ann: %s; guesses refused:"
                        + " %d of %d%n", idleRss, peak, greeted, ann,
                        replies.stream().filter(r -> r.startsWith("-ERR")).count(), FLOOD);

                assertThat(peak).as("peak RSS (idle %d MiB)", idleRss).isLessThan(RSS_BOUND_MIB);
                assertThat(server.log()).doesNotContain("OutOfMemoryError");
                assertThat(greeted).as("a new session is greeted at once: no hash is needed")
                        .matches("\\+OK in ([0-9]{1,3}|[0-4][0-9]{3}) ms");
                assertThat(ann).as("the right password is accepted during the flood").startsWith("+OK");
                assertThat(replies).as("every wrong password is refused, none is a server error")
                        .allMatch(r -> r.startsWith("-ERR") && !r.contains("SYS/"));
            } catch (Exception | AssertionError e) {
                String log = server.log();
                System.out.println(log.substring(Math.max(0, log.length() - 20_000)));
                throw e;
            } finally {
                clients.shutdownNow();
            }
            // still up and well after the flood
            MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, "ann@example.org", "ann-password-1").logout();
            assertThat(server.stop()).isZero();
        }
    }

    /** A new plain POP3 session: the greeting, then CAPA. */
    private static String greetAndCapa(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
            String greeting = in.readLine();
            s.getOutputStream().write("CAPA\r\n".getBytes(US_ASCII));
            String capa = in.readLine();
            return greeting.startsWith("+OK") && capa.startsWith("+OK") ? "+OK" : greeting + " / " + capa;
        }
    }

    /** Ann logs in over POP3S and asks STAT; +OK or the reply that refused her. */
    private static String rightLogin(int port) throws IOException {
        POP3SClient ann = new POP3SClient(true, Tls.trustAll());
        ann.setDefaultTimeout(180_000);
        ann.connect("127.0.0.1", port);
        try {
            ann.setSoTimeout(180_000);
            if (!ann.login("ann@example.org", "ann-password-1")) {
                return ann.getReplyString().strip();
            }
            String result = ann.status() != null ? "+OK" : "STAT failed: " + ann.getReplyString().strip();
            ann.logout();
            return result;
        } finally {
            ann.disconnect();
        }
    }

    private interface Call {
        String call() throws Exception;
    }

    /** The call's answer and how long it took: "+OK in 104 ms". */
    private static String timed(Call call) throws Exception {
        long t0 = System.nanoTime();
        String answer = call.call();
        return answer + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms";
    }

    /** What a client got, or how it failed: the test reports every outcome before it asserts. */
    private static String outcome(Future<String> f) throws InterruptedException {
        try {
            return f.get(5, TimeUnit.MINUTES);
        } catch (java.util.concurrent.ExecutionException e) {
            return "failed: " + e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            return "no answer within 5 minutes";
        }
    }

    /** USER and a wrong PASS over plain POP3 from {@code from}; returns the reply to PASS. */
    private static String wrongLogin(InetAddress from, int port, String user, List<Socket> sent) throws IOException {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 30_000);
            s.setSoTimeout(300_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).startsWith("+OK");
            out.write(("USER " + user + "\r\n").getBytes(US_ASCII));
            assertThat(in.readLine()).startsWith("+OK");
            out.write("PASS not-their-password\r\n".getBytes(US_ASCII));
            sent.add(s);
            return in.readLine();
        }
    }

    private static long rssMib(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        throw new IOException("no VmRSS for " + pid);
    }
}
