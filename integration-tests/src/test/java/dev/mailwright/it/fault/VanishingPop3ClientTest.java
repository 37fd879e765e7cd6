package dev.mailwright.it.fault;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.Eventually;
import dev.mailwright.it.support.FreezableProxy;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.MailClients.SmtpWay;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.store.postgres.testing.TestDatabases;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A POP3 client that marks messages deleted and then vanishes, without QUIT: nothing is
 * deleted, and the maildrop lock is free again, at once when the connection closes. When the
 * network simply goes silent, the server still holds the connection, and its node's heartbeat
 * keeps the lock (an idle client is a live one, as with Dovecot) until the idle timeout (15 s
 * here) ends the session; the lock is free at that moment, and the ghost that comes back finds
 * its session ended with nothing deleted.
 */
@Timeout(180)
class VanishingPop3ClientTest {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);
    private static final String BOB = "bob@example.org";
    private static final String PASSWORD = "bob-password-22";

    @TempDir
    static Path dataDir;

    private static MailwrightServer server;
    private static Map<String, Integer> ports;

    @BeforeAll
    static void start() throws Exception {
        Map<String, String> env = new HashMap<>(TestServers.env(dataDir, TestDatabases.fresh()));
        env.put("MAILWRIGHT_POP3_LOCK_LEASE", LEASE.toSeconds() + "s");
        env.put("MAILWRIGHT_LIMITS_IDLE_TIMEOUT", IDLE_TIMEOUT.toSeconds() + "s");
        env.put("MAILWRIGHT_POP3_PLAINTEXT_WITHOUT_TLS", "true"); // the ghost below speaks raw POP3
        server = TestServers.start(env);
        ports = server.ports();
        admin(env, null, "domain", "add", "example.org");
        addUser(env, BOB, PASSWORD);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void twoMessagesForBob() throws Exception {
        POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, ports, BOB, PASSWORD);
        for (POP3MessageInfo m : pop3.listMessages()) {
            pop3.deleteMessage(m.number);
        }
        assertThat(pop3.logout()).isTrue();
        pop3.disconnect();
        Session session = MailClients.smtpSession(SmtpWay.MX_PLAIN, ports);
        for (String subject : new String[] {"first", "second"}) {
            MimeMessage m = new MimeMessage(session);
            m.setFrom(new InternetAddress("someone@outside.test"));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress(BOB));
            m.setSubject(subject);
            m.setText(subject + " body\n");
            Transport.send(m);
        }
    }

    private static int messagesInStore() {
        return (int) server.store().accounts().get(dev.mailwright.store.Address.parse(BOB)).orElseThrow().usage()
                .messages();
    }

    @Test
    void aClosedConnectionAfterDeleDeletesNothingAndFreesTheLock() throws Exception {
        POP3Client vanishing = MailClients.pop3Login(Pop3Way.STLS, ports, BOB, PASSWORD);
        assertThat(vanishing.deleteMessage(1)).isTrue();
        assertThat(vanishing.deleteMessage(2)).isTrue();
        vanishing.disconnect(); // the socket closes; no QUIT

        POP3Client next = Eventually.await("a new login after the connection closed", LEASE,
                () -> MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, BOB, PASSWORD));
        assertThat(next.status().number).isEqualTo(2);
        assertThat(next.logout()).isTrue();
        next.disconnect();
        assertThat(messagesInStore()).isEqualTo(2);
    }

    @Test
    void aClientWhoseNetworkGoesSilentKeepsTheLockUntilTheIdleTimeoutAndCannotDeleteLater() throws Exception {
        try (FreezableProxy network = FreezableProxy.to(ports.get("pop3"));
             Socket ghost = new Socket("127.0.0.1", network.port())) {
            ghost.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(ghost.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = ghost.getOutputStream();
            assertThat(in.readLine()).startsWith("+OK");
            for (String command : new String[] {"USER " + BOB, "PASS " + PASSWORD, "DELE 1", "DELE 2"}) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(in.readLine()).as(command).startsWith("+OK");
            }
            network.freeze(); // no FIN, no RST: the server still believes in the session
            long frozen = System.nanoTime();

            // past the lease, the heartbeat still keeps the silent session's lock
            Thread.sleep(LEASE.toMillis() + 2_000);
            POP3Client early = MailClients.pop3(Pop3Way.IMPLICIT_TLS, ports);
            if (Duration.ofNanos(System.nanoTime() - frozen).compareTo(IDLE_TIMEOUT) < 0) {
                assertThat(early.login(BOB, PASSWORD)).as(early.getReplyString()).isFalse();
                assertThat(early.getReplyString()).startsWith("-ERR [IN-USE]");
            }
            early.disconnect();

            POP3Client next = Eventually.await("a login once the idle timeout ended the silent session",
                    IDLE_TIMEOUT.multipliedBy(3), () -> MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, BOB, PASSWORD));
            assertThat(next.status().number).isEqualTo(2);
            assertThat(next.logout()).isTrue();
            next.disconnect();

            // the ghost comes back and QUITs: its session was ended, so nothing is deleted
            network.thaw();
            out.write("QUIT\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer;
            try {
                answer = in.readLine();
            } catch (java.io.IOException reset) {
                answer = null;
            }
            assertThat(answer).as("the ended session's last words, or nothing").satisfiesAnyOf(
                    a -> assertThat(a).isNull(), a -> assertThat(a).startsWith("-ERR"));
        }
        assertThat(messagesInStore()).isEqualTo(2);
    }
}
