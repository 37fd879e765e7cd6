package dev.mailwright.pop3;

import dev.mailwright.pop3.session.Pop3Settings;
import static dev.mailwright.pop3.support.Pop3Fixture.ALICE;
import static dev.mailwright.pop3.support.Pop3Fixture.CERT;
import static dev.mailwright.pop3.support.Pop3Fixture.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.support.Pop3Fixture;
import dev.mailwright.pop3.support.RawClient;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.password.ScramCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Byte-exact cases over a raw socket. */
@Timeout(60)
class RawSocketTest {

    private Pop3Fixture pop3;

    @AfterEach
    void stop() {
        if (pop3 != null) {
            pop3.close();
        }
    }

    private Pop3Fixture plaintext() {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)));
        return pop3;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void retrShouldDotStuffLinesStartingWithADotAndEndWithOneTerminator() throws IOException {
        plaintext().deliver("Subject: dots\r\n\r\n.\r\n..x\r\n.x\r\nx.\r\n");
        try (RawClient c = pop3.connect()) {
            assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK");
            assertThat(c.command("RETR 1")).isEqualTo("+OK 33 octets");
            assertThat(c.readMultiLine()).isEqualTo(ascii("Subject: dots\r\n\r\n..\r\n...x\r\n..x\r\nx.\r\n.\r\n"));
        }
    }

    @Test
    void retrOfBareLfContentWithoutFinalLineBreakShouldSendCrlfLinesOfTheAnnouncedSize() throws IOException {
        plaintext().deliver("Subject: lf\n\nline one\nline two");
        try (RawClient c = pop3.connect()) {
            c.login(ALICE, PASSWORD);
            assertThat(c.command("LIST 1")).isEqualTo("+OK 1 35");
            assertThat(c.command("RETR 1")).isEqualTo("+OK 35 octets");
            byte[] body = c.readMultiLine();
            assertThat(body).isEqualTo(ascii("Subject: lf\r\n\r\nline one\r\nline two\r\n.\r\n"));
            assertThat(body.length - 3).isEqualTo(35);
        }
    }

    @Test
    void stlsShouldDiscardCommandsPipelinedBeforeTheHandshake() throws IOException {
        pop3 = new Pop3Fixture();
        try (RawClient c = pop3.connect()) {
            c.send("STLS\r\nUSER " + ALICE + "\r\nPASS " + PASSWORD + "\r\n");
            assertThat(c.readLine()).isEqualTo("+OK Begin TLS negotiation");
            c.startTls(CERT.clientContext());
            assertThat(((SSLSocket) c.socket()).getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            // had the injected USER been processed, PASS would log in now
            assertThat(c.command("PASS " + PASSWORD)).isEqualTo("-ERR USER first");
            c.send("CAPA\r\n");
            assertThat(c.readLine()).startsWith("+OK");
            assertThat(c.readMultiLineText()).contains("USER", "SASL PLAIN LOGIN").doesNotContain("STLS")
                    .as("SCRAM is off unless the store keeps SCRAM keys").doesNotContain("SCRAM");
            assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK");
            assertThat(c.command("STLS")).isEqualTo("-ERR command not valid in this state");
        }
    }

    @Test
    void stlsTwiceShouldBeRefused() throws IOException {
        pop3 = new Pop3Fixture();
        try (RawClient c = pop3.connect()) {
            assertThat(c.command("STLS")).isEqualTo("+OK Begin TLS negotiation");
            c.startTls(CERT.clientContext());
            assertThat(c.command("STLS")).isEqualTo("-ERR connection is already secure");
        }
    }

    @Test
    void thousandPipelinedCommandsInOneWriteShouldBeAnsweredInOrder() throws IOException {
        plaintext().deliver("Subject: a\r\n\r\nbody\r\n");
        try (RawClient c = pop3.connect()) {
            c.login(ALICE, PASSWORD);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                b.append(i % 2 == 0 ? "NOOP\r\n" : "LIST 1\r\n");
            }
            c.send(b.toString());
            for (int i = 0; i < 1000; i++) {
                assertThat(c.readLine()).isEqualTo(i % 2 == 0 ? "+OK" : "+OK 1 20");
            }
            assertThat(c.command("STAT")).isEqualTo("+OK 1 20");
        }
    }

    @Test
    void scramSha256ShouldLogInOverARawSocket() throws Exception {
        pop3 = Pop3Fixture.withScram();
        pop3.deliver("Subject: a\r\n\r\nbody\r\n");
        try (RawClient c = pop3.connect()) {
            assertThat(c.command("STLS")).isEqualTo("+OK Begin TLS negotiation"); // SCRAM is not offered before TLS
            c.startTls(CERT.clientContext());
            String clientNonce = "fyko+d2lbbFgONRv9qkxdawL";
            String clientFirstBare = "n=" + ALICE + ",r=" + clientNonce;
            String first = c.command("AUTH SCRAM-SHA-256 " + b64("n,," + clientFirstBare));
            assertThat(first).startsWith("+ ");
            String serverFirst = unb64(first.substring(2));
            String[] attrs = serverFirst.split(",");
            String nonce = attrs[0].substring(2);
            byte[] salt = Base64.getDecoder().decode(attrs[1].substring(2));
            int iterations = Integer.parseInt(attrs[2].substring(2));
            assertThat(nonce).startsWith(clientNonce);

            String withoutProof = "c=biws,r=" + nonce;
            String authMessage = clientFirstBare + "," + serverFirst + "," + withoutProof;
            byte[] salted = ScramCredentials.saltedPassword(PASSWORD.toCharArray(), salt, iterations);
            byte[] clientKey = ScramCredentials.hmac(salted, ascii("Client Key"));
            byte[] signature = ScramCredentials.hmac(ScramCredentials.sha256(clientKey), ascii(authMessage));
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) {
                proof[i] = (byte) (clientKey[i] ^ signature[i]);
            }
            String last = c.command(b64(withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof)));
            byte[] serverKey = ScramCredentials.hmac(salted, ascii("Server Key"));
            String expected = "v=" + Base64.getEncoder().encodeToString(ScramCredentials.hmac(serverKey, ascii(authMessage)));
            assertThat(last).isEqualTo("+ " + b64(expected));
            assertThat(c.command("")).isEqualTo("+OK " + ALICE + "'s maildrop has 1 messages (20 octets)");
        }
    }

    @Test
    void scramShouldNeitherBeOfferedNorTakenBeforeStlsEvenWhenOn() throws Exception {
        pop3 = Pop3Fixture.withScram();
        try (RawClient c = pop3.connect()) {
            c.send("CAPA\r\n");
            assertThat(c.readLine()).startsWith("+OK");
            assertThat(c.readMultiLineText()).contains("STLS").doesNotContain("SCRAM");
            assertThat(c.command("AUTH SCRAM-SHA-256 " + b64("n,,n=" + ALICE + ",r=abc"))).startsWith("-ERR")
                    .contains("STLS");
            assertThat(c.command("STLS")).isEqualTo("+OK Begin TLS negotiation");
            c.startTls(CERT.clientContext());
            c.send("CAPA\r\n");
            assertThat(c.readLine()).startsWith("+OK");
            assertThat(c.readMultiLineText()).contains("SASL SCRAM-SHA-256 PLAIN LOGIN");
        }
    }

    @Test
    void scramSha256WithAWrongPasswordShouldFailLikeAnyWrongPassword() throws Exception {
        pop3 = Pop3Fixture.withScram();
        try (RawClient c = pop3.connect()) {
            assertThat(c.command("STLS")).isEqualTo("+OK Begin TLS negotiation"); // SCRAM is not offered before TLS
            c.startTls(CERT.clientContext());
            String first = unb64(c.command("AUTH SCRAM-SHA-256 " + b64("n,,n=" + ALICE + ",r=abc")).substring(2));
            String nonce = first.split(",")[0].substring(2);
            byte[] proof = new byte[32];
            new SecureRandom().nextBytes(proof);
            assertThat(c.command(b64("c=biws,r=" + nonce + ",p=" + Base64.getEncoder().encodeToString(proof))))
                    .isEqualTo("-ERR [AUTH] invalid user name or password");
        }
    }

    @Test
    void failedLoginReplyShouldBeDelayedMoreAfterEachFailure() throws IOException {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)).authThrottle(new AuthThrottle(
                new AuthThrottle.Settings(Duration.ofMillis(200), Duration.ofSeconds(1), 100, Duration.ofMinutes(5), 3, 1000),
                java.time.Clock.systemUTC())));
        try (RawClient c = pop3.connect()) {
            long t0 = System.nanoTime();
            assertThat(c.login(ALICE, "wrong")).isEqualTo("-ERR [AUTH] invalid user name or password");
            long first = System.nanoTime() - t0;
            t0 = System.nanoTime();
            assertThat(c.login("nobody@example.org", "wrong")).isEqualTo("-ERR [AUTH] invalid user name or password");
            long second = System.nanoTime() - t0;
            assertThat(Duration.ofNanos(first)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
            assertThat(Duration.ofNanos(second)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void addressThatUsedUpItsAttemptsShouldBeRefusedEvenWithTheRightPassword() throws IOException {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)).authThrottle(new AuthThrottle(
                new AuthThrottle.Settings(Duration.ZERO, Duration.ZERO, 2, Duration.ofMinutes(5), 3, 1000),
                java.time.Clock.systemUTC())));
        try (RawClient c = pop3.connect()) {
            c.login(ALICE, "wrong");
            assertThat(c.login(ALICE, "wrong")).isEqualTo("-ERR [AUTH] invalid user name or password");
            assertThat(c.readLine()).isNull();
        }
        try (RawClient c = pop3.connect()) {
            assertThat(c.login(ALICE, PASSWORD)).isEqualTo("-ERR [AUTH] too many failed logins from your address, try later");
        }
    }

    @Test
    void wrongPasswordsOverFreshConnectionsShouldBeRefusedWhileTheUserLogsInFromElsewhere() throws IOException {
        // the standard throttle's shape, scaled down 20 times so the test does not wait 31 s
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)).authThrottle(new AuthThrottle(
                AuthThrottle.Settings.of(Duration.ofMillis(50), 5), java.time.Clock.systemUTC())));
        int answered = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 60; i++) {
            try (RawClient c = pop3.connectFrom("127.0.0.2")) {
                String reply = c.login(ALICE, "guess" + i);
                if (reply.equals("-ERR [AUTH] too many failed logins from your address, try later")) {
                    assertThat(c.readLine()).isNull();
                    break;
                }
                assertThat(reply).isEqualTo("-ERR [AUTH] invalid user name or password");
                answered++;
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(answered).isEqualTo(5);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(50 + 100 + 200 + 400 + 800));
        try (RawClient c = pop3.connectFrom("127.0.0.2")) {
            assertThat(c.login(ALICE, PASSWORD)).startsWith("-ERR [AUTH] too many failed logins");
        }
        try (RawClient c = pop3.connectFrom("127.0.0.3")) {
            assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK"); // held not at all: LoginThrottleTest
        }
    }

    @Test
    void commandPipelinedAfterAFailedLoginShouldWaitForTheHeldReply() throws IOException {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)).authThrottle(new AuthThrottle(
                AuthThrottle.Settings.of(Duration.ofMillis(300), 5), java.time.Clock.systemUTC())));
        try (RawClient c = pop3.connect()) {
            long t0 = System.nanoTime();
            c.send("USER " + ALICE + "\r\nPASS wrong\r\nCAPA\r\n");
            assertThat(c.readLine()).startsWith("+OK");
            assertThat(c.readLine()).isEqualTo("-ERR [AUTH] invalid user name or password");
            assertThat(c.readLine()).startsWith("+OK");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void connectionsOverTheLimitShouldGetSysTempAndBeClosed() throws IOException {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.limits(Pop3Settings.DEFAULT_LIMITS.withMaxConnections(100, 2))));
        try (RawClient a = pop3.connect(); RawClient b = pop3.connect(); RawClient c = new RawClient(pop3.port())) {
            assertThat(c.readLine()).isEqualTo("-ERR [SYS/TEMP] too many connections, try again later");
            assertThat(c.readLine()).isNull();
            assertThat(a.command("QUIT")).startsWith("+OK");
        }
    }

    @Test
    void idleSessionShouldBeLoggedOutWithoutDeleting() throws IOException {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)
                .limits(Pop3Settings.DEFAULT_LIMITS.withIdleTimeout(Duration.ofSeconds(1)))));
        pop3.deliver("Subject: a\r\n\r\nbody\r\n");
        try (RawClient c = pop3.connect()) {
            c.login(ALICE, PASSWORD);
            assertThat(c.command("DELE 1")).startsWith("+OK");
            assertThat(c.readLine()).isEqualTo("-ERR autologout: idle for too long");
            assertThat(c.readLine()).isNull();
        }
        try (RawClient c = pop3.connect()) {
            assertThat(c.login(ALICE, PASSWORD)).isEqualTo("+OK " + ALICE + "'s maildrop has 1 messages (20 octets)");
        }
    }

    @Test
    void pop3sShouldGreetOverImplicitTls() throws IOException {
        pop3 = new Pop3Fixture();
        try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", pop3.securePort())) {
            s.setSoTimeout(20_000);
            s.startHandshake();
            byte[] greeting = new byte[64];
            int n = s.getInputStream().read(greeting);
            assertThat(new String(greeting, 0, n, StandardCharsets.US_ASCII)).startsWith("+OK Mailwright POP3 server ready");
        }
    }

    @Test
    void overlongCommandShouldBeRefusedWithoutBufferingIt() throws IOException {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.limits(Pop3Settings.DEFAULT_LIMITS.withMaxLineLength(255))));
        try (RawClient c = pop3.connect()) {
            byte[] big = new byte[4 * 1024 * 1024];
            java.util.Arrays.fill(big, (byte) 'A');
            c.send(big);
            c.send("\r\nCAPA\r\n");
            assertThat(c.readLine()).isEqualTo("-ERR line too long");
            assertThat(c.readLine()).isEqualTo("+OK Capability list follows");
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String unb64(String s) {
        return new String(Base64.getDecoder().decode(s), StandardCharsets.UTF_8);
    }


    @Test
    void failedTlsHandshakesOnPop3sShouldNotUseUpTheConnectionSlots() throws Exception {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.limits(Pop3Settings.DEFAULT_LIMITS.withMaxConnections(100, 20))));
        for (int i = 0; i < 120; i++) { // plaintext, or a ClientHello offering only a suite we refuse
            try (java.net.Socket s = i % 2 == 0 ? new java.net.Socket("127.0.0.1", pop3.securePort()) : CERT.clientContext().getSocketFactory()
                    .createSocket("127.0.0.1", pop3.securePort())) {
                s.setSoTimeout(20_000);
                if (s instanceof javax.net.ssl.SSLSocket tls) {
                    tls.setEnabledProtocols(new String[] {"TLSv1.2"});
                    tls.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
                    tls.startHandshake();
                } else {
                    s.getOutputStream().write("EHLO plaintext.example\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getInputStream().read(new byte[256]);
                }
            } catch (IOException refused) {
                // the handshake fails, or the server resets the connection
            }
        }
        // the closes are handled asynchronously: a proper client is served once they are
        String greeting = "";
        for (int attempt = 0; attempt < 50 && !greeting.startsWith("+OK Mailwright POP3 server ready"); attempt++) {
            if (attempt > 0) {
                Thread.sleep(100);
            }
            try (javax.net.ssl.SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", pop3.securePort())) {
                s.setSoTimeout(20_000);
                byte[] b = new byte[64];
                int n = s.getInputStream().read(b);
                greeting = n < 0 ? "" : new String(b, 0, n, StandardCharsets.US_ASCII);
            } catch (IOException refused) {
                greeting = refused.toString();
            }
        }
        assertThat(greeting).startsWith("+OK Mailwright POP3 server ready");
    }
}
