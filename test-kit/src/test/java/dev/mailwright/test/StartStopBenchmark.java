package dev.mailwright.test;

import com.icegreen.greenmail.util.DummySSLSocketFactory;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import javax.net.SocketFactory;

/**
 * Start, close-with-a-client-mid-transaction, and threads, for Mailwright's extension and for
 * GreenMail in the same JVM and run: the figures of issue 24's note. Every cycle also takes one
 * POP3S connection through its TLS handshake, so that threads started for TLS count too. Not a test (timing is not
 * asserted anywhere); run with
 * {@code mvn -pl test-kit exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.mailwright.test.StartStopBenchmark}.
 */
public final class StartStopBenchmark {

    private static final int WARMUP = 10;
    private static final int RUNS = 30;

    interface Server extends AutoCloseable {
        int smtpPort();

        /** A client socket factory for the POP3S listener, and its port. */
        SocketFactory pop3sClients();

        int pop3sPort();

        @Override
        void close();
    }

    public static void main(String[] args) throws Exception {
        measure("Mailwright (SMTP MX+submission+submissions, POP3+POP3S, TLS)", () -> {
            MailwrightExtension m = MailwrightExtension.create().withUser("ann@example.test", "secret").start();
            return new Server() {
                public int smtpPort() {
                    return m.smtpPort();
                }

                public SocketFactory pop3sClients() {
                    return m.clientSslContext().getSocketFactory();
                }

                public int pop3sPort() {
                    return m.pop3sPort();
                }

                public void close() {
                    m.close();
                }
            };
        });
        measure("GreenMail 2.1.8 (SMTP, POP3, SMTPS, POP3S; dynamic ports)", () -> {
            ServerSetup[] setups = ServerSetup.dynamicPort(new ServerSetup[] {ServerSetupTest.SMTP, ServerSetupTest.POP3,
                    ServerSetupTest.SMTPS, ServerSetupTest.POP3S});
            GreenMail g = new GreenMail(setups);
            g.start();
            g.setUser("ann@example.test", "secret");
            return new Server() {
                public int smtpPort() {
                    return g.getSmtp().getPort();
                }

                public SocketFactory pop3sClients() {
                    return new DummySSLSocketFactory(); // trusts GreenMail's own certificate
                }

                public int pop3sPort() {
                    return g.getPop3s().getPort();
                }

                public void close() {
                    g.stop();
                }
            };
        });
    }

    private static void measure(String name, Callable<Server> starter) throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        long[] start = new long[RUNS];
        long[] close = new long[RUNS];
        int running = 0;
        for (int i = -WARMUP; i < RUNS; i++) {
            long t0 = System.nanoTime();
            Server s = starter.call();
            long t1 = System.nanoTime();
            pop3sGreeting(s); // a TLS handshake in every cycle: its threads must end with the server too
            Socket client = LifecycleTest.midTransaction(s.smtpPort());
            if (i == 0) {
                running = (int) Thread.getAllStackTraces().keySet().stream().filter(t -> !before.contains(t)).count();
            }
            long t2 = System.nanoTime();
            s.close();
            long t3 = System.nanoTime();
            client.close();
            if (i >= 0) {
                start[i] = t1 - t0;
                close[i] = t3 - t2;
            }
        }
        Thread.sleep(100);
        List<String> left = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && !before.contains(t)).map(Thread::getName).sorted().toList();
        System.out.printf("%s%n  start: median %.1f ms, max %.1f ms%n  close with a client mid-DATA: median %.1f ms, max %.1f ms%n"
                        + "  threads while running (one client connected): %d%n  threads left after %d cycles: %d %s%n",
                name, median(start), max(start), median(close), max(close), running, WARMUP + RUNS, left.size(),
                left.size() > 8 ? left.subList(0, 8) + "..." : left);
    }

    private static void pop3sGreeting(Server s) throws IOException {
        try (Socket tls = s.pop3sClients().createSocket(InetAddress.getLoopbackAddress(), s.pop3sPort())) {
            tls.setSoTimeout(10_000);
            String greeting = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (greeting == null || !greeting.startsWith("+OK")) {
                throw new IllegalStateException("POP3S greeting: " + greeting);
            }
        }
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static double max(long[] nanos) {
        return Arrays.stream(nanos).max().orElse(0) / 1e6;
    }
}
