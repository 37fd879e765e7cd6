package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Starting and stopping leaves nothing behind: no thread and no bound port, over many cycles, even
 * when a client is in the middle of a transaction. (How long close() takes is measured by
 * {@link StartStopBenchmark}, not asserted here.)
 */
class LifecycleTest {

    private static final int CYCLES = 100;

    @Test
    void aHundredStartsAndClosesLeaveNoThreadAndNoPortBehind() throws Exception {
        // one start first, so that the JVM's own lazily started threads exist before the snapshot
        MailwrightExtension.create().start().close();
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());

        for (int i = 0; i < CYCLES; i++) {
            MailwrightExtension mail = MailwrightExtension.create().withUser("ann@example.test", "secret").start();
            List<Integer> ports = List.of(mail.smtpPort(), mail.submissionPort(), mail.smtpsPort(), mail.pop3Port(),
                    mail.pop3sPort());
            Socket client = i % 10 == 0 ? midTransaction(mail.smtpPort()) : null;
            if (i % 10 == 5) {
                handshake(mail); // TLS too
            }
            // a POP3 user logged in at close: the maildrop lease heartbeat and the read-ahead threads run
            Socket pop3 = i % 10 == 7 ? loggedInAfterRetr(mail) : null;
            mail.close();
            if (client != null) {
                client.close();
            }
            if (pop3 != null) {
                pop3.close();
            }
            for (int port : ports) {
                assertThat(free(port)).as("port %d free after close %d", port, i).isTrue();
            }
            assertThat(alive(before)).as("threads left right after close %d", i).extracting(t -> t.getName() + " "
                    + java.util.Arrays.toString(t.getStackTrace())).isEmpty();
        }

        // no name excepted: TLS handshake tasks run on the listeners' own threads, and close()
        // joins every thread the listeners made (ADR 0035); one still there is shown with its stack
        assertThat(alive(before)).as("threads started and not ended").extracting(t -> t.getName() + " "
                + java.util.Arrays.toString(t.getStackTrace())).isEmpty();
    }

    private static List<Thread> alive(Set<Thread> before) {
        List<Thread> left = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && !before.contains(t)) {
                left.add(t);
            }
        }
        return left;
    }

    @Test
    void aClientInTheMiddleOfATransactionIsCutOffAndNothingIsStored() throws Exception {
        MailwrightExtension mail = MailwrightExtension.create().withUser("ann@example.test", "secret").start();
        Socket client = midTransaction(mail.smtpPort());
        dev.mailwright.store.MailStore store = mail.store();
        long ann = store.accounts().get(dev.mailwright.store.Address.parse("ann@example.test")).orElseThrow().id();
        mail.close();
        BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
        String line;
        String last = null;
        while ((line = readOrNull(in)) != null) {
            last = line;
        }
        client.close();
        assertThat(last).as("the server says goodbye before it goes").startsWith("421");
        assertThat(store.mailboxes().list(ann)).isEmpty();
    }

    /** A POP3S connection through its TLS handshake and greeting, then QUIT. */
    private static void handshake(MailwrightExtension mail) throws IOException {
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) mail.clientSslContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), mail.pop3sPort())) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("+OK");
            s.getOutputStream().write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(in.readLine()).startsWith("+OK");
        }
    }

    /** A message delivered to ann, then a POP3S session that logged in, read it with RETR 1, and stays. */
    private static Socket loggedInAfterRetr(MailwrightExtension mail) throws IOException {
        try (Socket smtp = midTransaction(mail.smtpPort())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(smtp.getInputStream(), StandardCharsets.US_ASCII));
            smtp.getOutputStream().write("the end\r\n.\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("250");
        }
        javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) mail.clientSslContext().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), mail.pop3sPort());
        s.setSoTimeout(10_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        assertThat(in.readLine()).startsWith("+OK");
        for (String command : List.of("USER ann@example.test", "PASS secret", "RETR 1")) {
            s.getOutputStream().write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            assertThat(in.readLine()).as(command).startsWith("+OK");
        }
        String line;
        while (!(line = in.readLine()).equals(".")) {
            assertThat(line).isNotNull();
        }
        return s;
    }

    private static String readOrNull(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            return null; // reset: also a way to end
        }
    }

    /** A client that sent half a message and waits (also for {@link StartStopBenchmark}). */
    static Socket midTransaction(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(10_000);
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
        OutputStream out = s.getOutputStream();
        in.readLine(); // greeting
        for (String command : List.of("HELO client.test", "MAIL FROM:<x@elsewhere.test>", "RCPT TO:<ann@example.test>",
                "DATA")) {
            out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            in.readLine();
        }
        out.write("Subject: half\r\n\r\nthe first half\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return s;
    }

    /** Whether a port on loopback can be bound (also for the other lifecycle tests). */
    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
