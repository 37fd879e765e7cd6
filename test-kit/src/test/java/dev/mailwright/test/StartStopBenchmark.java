package dev.mailwright.test;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import java.net.Socket;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * Start, close-with-a-client-mid-transaction, and threads, for Mailwright's extension and for
 * GreenMail in the same JVM and run: the figures of issue 24's note. Not a test (timing is not
 * asserted anywhere); run with
 * {@code mvn -pl test-kit exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.mailwright.test.StartStopBenchmark}.
 */
public final class StartStopBenchmark {

    private static final int WARMUP = 10;
    private static final int RUNS = 30;

    interface Server extends AutoCloseable {
        int smtpPort();

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

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static double max(long[] nanos) {
        return Arrays.stream(nanos).max().orElse(0) / 1e6;
    }
}
