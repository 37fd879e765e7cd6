package dev.mailwright.smtp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.smtp.testing.TestTls;
import dev.mailwright.password.ScramCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 19: 60 wrong AUTH passwords for one account over fresh connections all got 535 in 2.4 s,
 * then the right one 235; SCRAM guesses cost nothing. The throttle here has the standard shape
 * scaled down 20 times (50 ms doubling, 5 failures), so the test does not wait 31 s.
 */
@Timeout(120)
class AuthThrottleOverSocketsTest {

    private static final String ALICE = "alice@example.org";
    private static final String REFUSED = "454 4.7.0 Too many failed authentications, try again later";
    private static final String FAILED = "535 5.7.8 Authentication credentials invalid";
    private static final Duration HOLDS = Duration.ofMillis(50 + 100 + 200 + 400 + 800);

    private SmtpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start() {
        server = SmtpServer.builder().hostname("mx.example.org").store(SessionHarness.fixtureStore(true)).tls(TestTls.server())
                .settings(b -> b.authWithoutTls(true))
                .authThrottle(new AuthThrottle(AuthThrottle.Settings.of(Duration.ofMillis(50), 5), Clock.systemUTC()))
                .submission(0).submissions(0).start();
    }

    private RawClient submission(String source) throws IOException {
        RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION), source);
        assertThat(c.reply()).startsWith("220 ");
        c.write("EHLO client.example\r\n");
        assertThat(c.reply()).contains("AUTH SCRAM-SHA-256 PLAIN LOGIN");
        return c;
    }

    private static String plain(String user, String password) {
        return Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void sixtyWrongPlainPasswordsOverFreshConnectionsShouldBeRefusedWhileTheUserLogsInFromElsewhere() throws IOException {
        start();
        int failed = 0;
        int refused = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 60; i++) {
            try (RawClient c = submission("127.0.0.2")) {
                c.write("AUTH PLAIN " + plain(ALICE, "guess" + i) + "\r\n");
                String reply = c.reply();
                if (reply.equals(REFUSED)) {
                    refused++;
                } else {
                    assertThat(reply).isEqualTo(FAILED);
                    failed++;
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(failed).isEqualTo(5);
        assertThat(refused).isEqualTo(55);
        assertThat(took).isGreaterThanOrEqualTo(HOLDS);
        try (RawClient c = submission("127.0.0.2")) {
            c.write("AUTH PLAIN " + plain(ALICE, SessionHarness.ALICE_PASSWORD) + "\r\n");
            assertThat(c.reply()).as("refused before the password is looked at").isEqualTo(REFUSED);
        }
        try (RawClient c = submission("127.0.0.3")) {
            c.write("AUTH PLAIN " + plain(ALICE, SessionHarness.ALICE_PASSWORD) + "\r\n");
            assertThat(c.reply()).isEqualTo("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void sixtyWrongScramProofsOverFreshConnectionsShouldBeRefusedWhileTheUserLogsInFromElsewhere() throws Exception {
        start();
        int failed = 0;
        int refused = 0;
        for (int i = 0; i < 60; i++) {
            try (RawClient c = submission("127.0.0.4")) {
                String reply = scram(c, "guess"); // one wrong password: the client derives its key once
                if (reply.equals(REFUSED)) {
                    refused++;
                } else {
                    assertThat(reply).isEqualTo(FAILED);
                    failed++;
                }
            }
        }
        assertThat(failed).isEqualTo(5);
        assertThat(refused).isEqualTo(55);
        try (RawClient c = submission("127.0.0.5")) {
            assertThat(scram(c, SessionHarness.ALICE_PASSWORD)).isEqualTo("235 2.7.0 Authentication successful");
        }
    }

    @Test
    void failuresOnOneListenerShouldCountOnTheOthers() throws IOException {
        start();
        for (int i = 0; i < 5; i++) {
            try (RawClient c = submission("127.0.0.6")) {
                c.write("AUTH PLAIN " + plain(ALICE, "guess" + i) + "\r\n");
                assertThat(c.reply()).isEqualTo(FAILED);
            }
        }
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSIONS), "127.0.0.6")) {
            c.startTls();
            assertThat(c.reply()).startsWith("220 ");
            c.write("EHLO client.example\r\n");
            c.reply();
            c.write("AUTH PLAIN " + plain(ALICE, SessionHarness.ALICE_PASSWORD) + "\r\n");
            assertThat(c.reply()).isEqualTo(REFUSED);
        }
    }

    @Test
    void commandPipelinedAfterAFailedAuthShouldWaitForTheHeldReply() throws IOException {
        start();
        try (RawClient c = submission("127.0.0.8")) {
            long t0 = System.nanoTime();
            c.write("AUTH PLAIN " + plain(ALICE, "guess") + "\r\nNOOP\r\n");
            assertThat(c.reply()).isEqualTo(FAILED);
            assertThat(c.reply()).startsWith("250 ");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        }
    }

    @Test
    void connectionShouldCloseWith421AfterTooManyRefusedAttempts() throws IOException {
        start();
        for (int i = 0; i < 5; i++) {
            try (RawClient c = submission("127.0.0.7")) {
                c.write("AUTH PLAIN " + plain(ALICE, "guess" + i) + "\r\n");
                c.reply();
            }
        }
        try (RawClient c = submission("127.0.0.7")) {
            for (int i = 0; i < 2; i++) {
                c.write("AUTH PLAIN " + plain(ALICE, "again" + i) + "\r\n");
                assertThat(c.reply()).isEqualTo(REFUSED);
            }
            c.write("AUTH PLAIN " + plain(ALICE, "again") + "\r\n");
            assertThat(c.reply()).startsWith("421 4.7.0");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    private static final java.util.Map<String, byte[]> SALTED = new java.util.concurrent.ConcurrentHashMap<>();

    /** A whole SCRAM-SHA-256 exchange with {@code password}; the last reply. */
    private static String scram(RawClient c, String password) throws IOException {
        String clientFirstBare = "n=" + ALICE + ",r=fyko+d2lbbFgONRv9qkxdawL";
        c.write("AUTH SCRAM-SHA-256 " + b64("n,," + clientFirstBare) + "\r\n");
        String challenge = c.reply();
        if (!challenge.startsWith("334 ")) {
            return challenge;
        }
        String serverFirst = new String(Base64.getDecoder().decode(challenge.substring(4)), StandardCharsets.UTF_8);
        String nonce = field(serverFirst, "r");
        byte[] salt = Base64.getDecoder().decode(field(serverFirst, "s"));
        int iterations = Integer.parseInt(field(serverFirst, "i"));
        // the client's PBKDF2 (600,000 iterations) once per password and salt, not per guess
        byte[] salted = SALTED.computeIfAbsent(password + "/" + Base64.getEncoder().encodeToString(salt) + "/" + iterations,
                k -> ScramCredentials.saltedPassword(password.toCharArray(), salt, iterations));
        byte[] clientKey = ScramCredentials.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = ScramCredentials.sha256(clientKey);
        String withoutProof = "c=biws,r=" + nonce;
        String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
        byte[] signature = ScramCredentials.hmac(storedKey, authMessage.getBytes(StandardCharsets.UTF_8));
        byte[] proof = new byte[clientKey.length];
        for (int i = 0; i < proof.length; i++) {
            proof[i] = (byte) (clientKey[i] ^ signature[i]);
        }
        c.write(b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)) + "\r\n");
        String serverFinal = c.reply();
        if (!serverFinal.startsWith("334 ")) {
            return serverFinal;
        }
        c.write("\r\n");
        return c.reply();
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String field(String message, String name) {
        for (String part : message.split(",")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        throw new IllegalArgumentException(name + " not in " + message);
    }
}
