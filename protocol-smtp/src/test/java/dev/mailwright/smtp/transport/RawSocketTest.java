package dev.mailwright.smtp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.Deadlines;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.FlakyStore;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.smtp.testing.TestTls;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.password.ScramCredentials;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Byte-exact attacks and limits over real sockets. */
@Timeout(120)
class RawSocketTest {

    private static final String SMUGGLED = "MAIL FROM:<admin@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n"
            + "Subject: smuggled\r\n\r\nevil\r\n.\r\n";

    private MailStore store = SessionHarness.fixtureStore();
    private SmtpServer server;

    private SmtpServer start(UnaryOperator<SmtpSettings.Builder> settings) {
        server = SmtpServer.builder().hostname("mx.example.org").store(store).tls(TestTls.server())
                .settings(settings).mx(0).submission(0).start();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private RawClient mx() throws IOException {
        RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX));
        assertThat(c.reply()).startsWith("220 mx.example.org");
        return c;
    }

    private static void ehlo(RawClient c) throws IOException {
        c.write("EHLO client.example\r\n");
        assertThat(c.reply()).startsWith("250-mx.example.org").endsWith("LIMITS RCPTMAX=100");
    }

    private int count(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            return drop.messages().size();
        }
    }

    private String newest(String mailbox) throws IOException {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            var list = drop.messages();
            try (InputStream in = drop.open(list.get(list.size() - 1).uid())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @ParameterizedTest(name = "{0} with bare line ends {1}")
    @CsvSource({
        "\\n.\\n, REJECT, 550", "\\n.\\r\\n, REJECT, 550", "\\r.\\n, REJECT, 550",
        "\\r.\\r, REJECT, 550", "\\r\\n.\\r, REJECT, 550", "\\r\\n.\\n, REJECT, 550",
        "\\n.\\n, NORMALIZE, 250", "\\n.\\r\\n, NORMALIZE, 250", "\\r.\\n, NORMALIZE, 550",
        "\\r.\\r, NORMALIZE, 550", "\\r\\n.\\r, NORMALIZE, 550", "\\r\\n.\\n, NORMALIZE, 250"})
    void smugglingShouldNeverYieldTwoMessages(String sequence, SmtpSettings.BareLineEnds mode, int expected) throws IOException {
        start(s -> s.bareLineEnds(mode));
        String bytes = sequence.replace("\\r", "\r").replace("\\n", "\n");
        try (RawClient c = mx()) {
            ehlo(c);
            c.write("MAIL FROM:<sender@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            assertThat(c.replies(3)).endsWith("354 End data with <CR><LF>.<CR><LF>\n");
            c.write("Subject: first\r\n\r\nbody" + bytes + SMUGGLED);
            assertThat(c.reply()).startsWith(expected + " ");
            c.write("QUIT\r\n");
            assertThat(c.reply()).isEqualTo("221 2.0.0 Bye");
        }
        assertThat(count("alice@example.org")).isEqualTo(expected == 250 ? 1 : 0);
        assertThat(count("bob@example.org")).isZero();
    }

    @Test
    void bareLfInCommandLineShouldBeAnsweredOnceAndClose() throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = mx()) {
            ehlo(c);
            c.write("MAIL FROM:<sender@elsewhere.test>\r\nRSET\nRCPT TO:<alice@example.org>\r\nDATA\r\n"
                    + "Subject: smuggled\r\n\r\nbody\r\n.\r\nNOOP\r\n");
            assertThat(c.reply()).startsWith("250 ");
            assertThat(c.reply()).isEqualTo("500 5.5.2 Bare <LF> in command line, lines must end with <CR><LF>");
            assertThat(c.closedByServer()).isTrue();
        }
        assertThat(count("alice@example.org")).isZero();
    }

    @Test
    void plaintextInjectedAfterStarttlsShouldBeDiscarded() throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = mx()) {
            ehlo(c);
            c.write("STARTTLS\r\nMAIL FROM:<a@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\n");
            assertThat(c.reply()).isEqualTo("220 2.0.0 Ready to start TLS");
            c.startTls();
            c.write("NOOP\r\n");
            assertThat(c.reply()).isEqualTo("250 2.0.0 Ok");
            c.write("MAIL FROM:<a@elsewhere.test>\r\n");
            assertThat(c.reply()).isEqualTo("503 5.5.1 Send HELO/EHLO first");
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).doesNotContain("STARTTLS");
        }
    }

    @Test
    void openRelayTricksShouldAllBeRefused() throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = mx()) {
            ehlo(c);
            c.write("MAIL FROM:<spammer@elsewhere.test>\r\n");
            assertThat(c.reply()).startsWith("250");
            for (String path : new String[] {"victim@elsewhere.test", "victim%elsewhere.test@example.org",
                    "elsewhere.test!victim@example.org", "@example.org:victim@elsewhere.test",
                    "\"victim@elsewhere.test\"@example.org", "victim@elsewhere.test@example.org",
                    "alice@[127.0.0.1]", "postmaster@[IPv6:::1]", "victim@elsewhere.test."}) {
                c.write("RCPT TO:<" + path + ">\r\n");
                assertThat(c.reply()).as(path).matches("55[03] 5\\.[17]\\.[137] .*");
            }
        }
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void authWithAnotherAuthorizationIdentityShouldBeRefused() throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION))) {
            c.reply();
            c.write("EHLO client.example\r\nSTARTTLS\r\n");
            assertThat(c.replies(2)).endsWith("220 2.0.0 Ready to start TLS\n");
            c.startTls();
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).contains("250-AUTH PLAIN LOGIN").as("SCRAM is off by default").doesNotContain("SCRAM");
            String plain = Base64.getEncoder().encodeToString(
                    ("bob@example.org\0alice@example.org\0" + SessionHarness.ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8));
            c.write("AUTH PLAIN " + plain + "\r\n");
            assertThat(c.reply()).isEqualTo("535 5.7.8 Authentication credentials invalid");
            c.write("MAIL FROM:<bob@example.org>\r\n");
            assertThat(c.reply()).isEqualTo("530 5.7.0 Authentication required");
        }
    }

    @Test
    void scramShouldNeitherBeOfferedNorTakenBeforeStarttlsEvenWhenOn() throws Exception {
        store = SessionHarness.fixtureStore(true);
        start(UnaryOperator.identity());
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION))) {
            c.reply();
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).contains("STARTTLS").doesNotContain("AUTH");
            c.write("AUTH SCRAM-SHA-256 " + Base64.getEncoder().encodeToString(
                    "n,,n=alice@example.org,r=abc".getBytes(StandardCharsets.UTF_8)) + "\r\n");
            assertThat(c.reply()).doesNotStartWith("334").startsWith("5");
            c.write("STARTTLS\r\n");
            assertThat(c.reply()).startsWith("220");
            c.startTls();
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).contains("250-AUTH SCRAM-SHA-256 PLAIN LOGIN");
        }
    }

    @Test
    void scramSha256ShouldAuthenticateASubmission() throws Exception {
        store = SessionHarness.fixtureStore(true);
        start(UnaryOperator.identity());
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION))) {
            c.reply();
            c.write("EHLO client.example\r\nSTARTTLS\r\n");
            c.replies(2);
            c.startTls();
            c.write("EHLO client.example\r\n");
            c.reply();
            String clientNonce = "rOprNGfwEbeRWgbNEkqO";
            String clientFirstBare = "n=alice@example.org,r=" + clientNonce;
            c.write("AUTH SCRAM-SHA-256 " + b64("n,," + clientFirstBare) + "\r\n");
            String challenge = c.reply();
            assertThat(challenge).startsWith("334 ");
            String serverFirst = new String(Base64.getDecoder().decode(challenge.substring(4)), StandardCharsets.UTF_8);
            String nonce = field(serverFirst, "r");
            byte[] salt = Base64.getDecoder().decode(field(serverFirst, "s"));
            int iterations = Integer.parseInt(field(serverFirst, "i"));
            assertThat(nonce).startsWith(clientNonce);
            byte[] salted = ScramCredentials.saltedPassword(SessionHarness.ALICE_PASSWORD.toCharArray(), salt, iterations);
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
            assertThat(serverFinal).startsWith("334 ");
            byte[] serverKey = ScramCredentials.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
            String expected = "v=" + Base64.getEncoder().encodeToString(
                    ScramCredentials.hmac(serverKey, authMessage.getBytes(StandardCharsets.UTF_8)));
            assertThat(new String(Base64.getDecoder().decode(serverFinal.substring(4)), StandardCharsets.UTF_8)).isEqualTo(expected);
            c.write("\r\n");
            assertThat(c.reply()).isEqualTo("235 2.7.0 Authentication successful");
            c.write("MAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
            assertThat(c.replies(3)).endsWith("354 End data with <CR><LF>.<CR><LF>\n");
            c.write("Subject: scram\r\n\r\nhi\r\n.\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
        }
        assertThat(newest("bob@example.org")).contains("with ESMTPSA id");
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
        throw new AssertionError("no " + name + " in " + message);
    }

    @Test
    void oneMebibyteCommandLineShouldBeRefusedAndTheSessionGoOn() throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = mx()) {
            c.write("NOOP " + "x".repeat(1024 * 1024) + "\r\nNOOP\r\n");
            assertThat(c.replies(2)).isEqualTo("500 5.5.6 Line too long\n250 2.0.0 Ok\n");
        }
    }

    @Test
    void dataTwiceTheSizeLimitWithoutSizeShouldGet552AndStoreNothing() throws IOException {
        start(s -> s.maxMessageSize(1024 * 1024));
        try (RawClient c = mx()) {
            ehlo(c);
            c.write("MAIL FROM:<sender@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            c.replies(3);
            String line = "y".repeat(998) + "\r\n";
            StringBuilder big = new StringBuilder();
            while (big.length() < 2 * 1024 * 1024) {
                big.append(line);
            }
            c.write(big.append(".\r\n").toString());
            assertThat(c.reply()).isEqualTo("552 5.3.4 Message size exceeds fixed maximum message size");
            c.write("NOOP\r\n");
            assertThat(c.reply()).isEqualTo("250 2.0.0 Ok");
        }
        assertThat(count("alice@example.org")).isZero();
    }

    @Test
    void tenThousandRecipientsShouldBeCutAtTheLimit() throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = mx()) {
            ehlo(c);
            StringBuilder sb = new StringBuilder("MAIL FROM:<sender@elsewhere.test>\r\n");
            for (int i = 0; i < 10_000; i++) {
                sb.append("RCPT TO:<alice@example.org>\r\n");
            }
            c.write(sb.toString());
            assertThat(c.reply()).startsWith("250 2.1.0");
            int ok = 0;
            int limited = 0;
            for (int i = 0; i < 10_000; i++) {
                String r = c.reply();
                if (r.startsWith("250 2.1.5")) {
                    ok++;
                } else if (r.startsWith("452 4.5.3")) {
                    limited++;
                }
            }
            assertThat(ok).isEqualTo(100);
            assertThat(limited).isEqualTo(9_900);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "1234567890123456789012345"})
    void malformedSizeShouldBeRefused(String size) throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = mx()) {
            ehlo(c);
            c.write("MAIL FROM:<sender@elsewhere.test> SIZE=" + size + "\r\n");
            assertThat(c.reply()).isEqualTo("501 5.5.4 Invalid SIZE parameter");
        }
    }

    @Test
    void silentClientShouldBeCutOffAtTheIdleTimeout() throws IOException {
        start(s -> s.idleTimeout(Duration.ofSeconds(1)));
        try (RawClient c = mx()) {
            c.write("EHLO client.example\r\n");
            c.reply();
            assertThat(c.reply()).isEqualTo("421 4.4.2 Timeout, closing transmission channel");
            assertThat(c.closedByServer()).isTrue();
        }
    }

    @Test
    void connectionsOverThePerAddressLimitShouldGet421() throws IOException {
        start(s -> s.maxConnections(100, 2));
        try (RawClient a = mx(); RawClient b = mx(); RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX))) {
            b.write("NOOP\r\n");
            assertThat(b.reply()).isEqualTo("250 2.0.0 Ok");
            assertThat(c.reply()).isEqualTo("421 4.7.0 Too many connections, try again later");
            assertThat(c.closedByServer()).isTrue();
            a.write("QUIT\r\n");
            assertThat(a.reply()).startsWith("221");
            assertThat(a.closedByServer()).isTrue();
        }
    }

    @Test
    void storeDownAtCommitShouldGive451ThenTheSameSessionMayRetry() throws IOException {
        FlakyStore flaky = new FlakyStore(store);
        server = SmtpServer.builder().hostname("mx.example.org").store(flaky).mx(0).start();
        try (RawClient c = mx()) {
            ehlo(c);
            flaky.down = true;
            c.write("MAIL FROM:<sender@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            c.replies(3);
            c.write("Subject: retry\r\n\r\nbody\r\n.\r\n");
            assertThat(c.reply()).isEqualTo("451 4.3.0 Temporary local problem, please try again later");
            assertThat(count("alice@example.org")).isZero();
            flaky.down = false;
            c.write("MAIL FROM:<sender@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
            c.replies(3);
            c.write("Subject: retry\r\n\r\nbody\r\n.\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0 Ok: queued as ");
        }
        String stored = newest("alice@example.org");
        server.close();
        server = SmtpServer.builder().hostname("mx.example.org").store(store).mx(0).start();
        assertThat(newest("alice@example.org")).isEqualTo(stored).endsWith("\r\nSubject: retry\r\n\r\nbody\r\n");
    }

    @Test
    void wholeTransactionInOneWriteShouldBeAnsweredInOrder() throws IOException {
        start(UnaryOperator.identity());
        try (RawClient c = mx()) {
            c.write("EHLO client.example\r\nMAIL FROM:<sender@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\n"
                    + "BDAT 11\r\nSubject: x\rBDAT 10 LAST\r\n\n\r\nchunk\r\nQUIT\r\n");
            String all = c.replies(6);
            assertThat(all).contains("250 2.1.0").contains("250 2.1.5")
                    .contains("250 2.0.0 11 octets received")
                    .containsPattern("250 2\\.0\\.0 Ok: queued as \\S+\n221 2\\.0\\.0 Bye\n$");
        }
        assertThat(newest("alice@example.org")).endsWith("\r\nSubject: x\r\n\r\nchunk\r\n");
    }

    @Test
    void failedTlsHandshakesOnTheSubmissionsPortShouldNotUseUpTheConnectionSlots() throws Exception {
        server = SmtpServer.builder().hostname("mx.example.org").store(store).tls(TestTls.server())
                .settings(s -> s.maxConnections(100, 20)).submissions(0).start();
        int port = server.port(SmtpSettings.Mode.SUBMISSIONS);
        for (int i = 0; i < 120; i++) { // plaintext, or a ClientHello offering only a suite we refuse
            try (java.net.Socket s = i % 2 == 0 ? new java.net.Socket("127.0.0.1", port) : TestTls.trustingClient().getSocketFactory()
                    .createSocket("127.0.0.1", port)) {
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
        for (int attempt = 0; attempt < 50 && !greeting.startsWith("220 mx.example.org"); attempt++) {
            if (attempt > 0) {
                Thread.sleep(100);
            }
            try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) TestTls.trustingClient().getSocketFactory()
                .createSocket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                byte[] b = new byte[64];
                int n = s.getInputStream().read(b);
                greeting = n < 0 ? "" : new String(b, 0, n, StandardCharsets.US_ASCII);
            } catch (IOException refused) {
                greeting = refused.toString();
            }
        }
        assertThat(greeting).startsWith("220 mx.example.org");
    }

    // ---- clients that hold a connection by sending slowly (issue 22, ADR 0028): each deadline is
    // set short here, and a test checks only that the server hung up with 421 4.4.2 and kept
    // nothing; how long that took is configuration, not behaviour

    private static final String TIMEOUT = "421 4.4.2 Timeout, closing transmission channel";

    private void start(Deadlines deadlines) {
        start(s -> s.deadlines(deadlines).authWithoutTls(true));
    }

    /** EHLO, a transaction to alice, DATA: the client may send content now. */
    private static void toData(RawClient c) throws IOException {
        ehlo(c);
        c.write("MAIL FROM:<sender@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n");
        assertThat(c.replies(3)).contains("354");
    }

    /** Sends one octet every {@code gapMillis} until done or the server hangs up. */
    private static void trickle(RawClient c, String text, long gapMillis) throws InterruptedException {
        try {
            for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
                c.write(new byte[] {b});
                Thread.sleep(gapMillis);
            }
        } catch (IOException e) {
            // cut off: the reply is still to be read
        }
    }

    /** Sends NOOP, each answered at once, until a reply other than 250. */
    private static String noopUntilRefused(RawClient c) throws Exception {
        String reply;
        do {
            c.write("NOOP\r\n");
            reply = c.reply();
            Thread.sleep(50);
        } while (reply != null && reply.startsWith("250"));
        return reply;
    }

    @Test
    void commandLineTrickledOneOctetAtATimeShouldBeCutWith421() throws Exception {
        start(Deadlines.DEFAULT.withCommandLine(Duration.ofMillis(300)));
        try (RawClient c = mx()) {
            trickle(c, "EHLO client.example\r\n", 50); // no gap comes near the idle timeout
            assertThat(c.reply()).isEqualTo(TIMEOUT);
            assertThat(c.line()).isNull();
        }
    }

    @Test
    void mxClientThatNeverStartsATransactionShouldBeCutAtThePreAuthDeadline() throws Exception {
        start(Deadlines.DEFAULT.withPreAuth(Duration.ofMillis(500)));
        try (RawClient c = mx()) {
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).startsWith("250-mx.example.org");
            assertThat(noopUntilRefused(c)).isEqualTo(TIMEOUT);
            assertThat(c.line()).isNull();
        }
    }

    @Test
    void mxClientPastItsFirstMailFromShouldOutliveThePreAuthDeadline() throws Exception {
        start(Deadlines.DEFAULT.withPreAuth(Duration.ofSeconds(2)));
        int before = count("alice@example.org");
        try (RawClient c = mx()) {
            c.write("EHLO client.example\r\n");
            c.reply();
            c.write("MAIL FROM:<sender@elsewhere.test>\r\n");
            assertThat(c.reply()).startsWith("250");
            Thread.sleep(2500); // past the deadline it escaped, however long the first commands took
            c.write("RCPT TO:<alice@example.org>\r\nDATA\r\n");
            assertThat(c.replies(2)).startsWith("250").contains("354");
            c.write("Subject: on time\r\n\r\nhello\r\n.\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
        }
        assertThat(count("alice@example.org")).isEqualTo(before + 1);
    }

    @Test
    void submissionClientThatLoggedInShouldOutliveThePreAuthDeadline() throws Exception {
        start(Deadlines.DEFAULT.withPreAuth(Duration.ofSeconds(3)));
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION))) {
            c.reply();
            c.write("EHLO client.example\r\n");
            c.reply();
            String plain = Base64.getEncoder().encodeToString(
                    ("\0alice@example.org\0" + SessionHarness.ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8));
            c.write("AUTH PLAIN " + plain + "\r\n");
            assertThat(c.reply()).startsWith("235");
            Thread.sleep(3500); // past the deadline it escaped, however long the login took
            c.write("NOOP\r\n");
            assertThat(c.reply()).startsWith("250");
        }
    }

    @Test
    void submissionClientThatNeverLogsInShouldBeCutAtThePreAuthDeadline() throws Exception {
        start(Deadlines.DEFAULT.withPreAuth(Duration.ofMillis(500)));
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION))) {
            c.reply();
            c.write("EHLO client.example\r\n");
            c.reply();
            assertThat(noopUntilRefused(c)).isEqualTo(TIMEOUT);
            assertThat(c.line()).isNull();
        }
    }

    @Test
    void dataTrickledBelowTheMinimumRateShouldBeCutWith421AndNothingStored() throws Exception {
        start(Deadlines.DEFAULT.withMinDataRate(1000, Duration.ofMillis(300)));
        int before = count("alice@example.org");
        try (RawClient c = mx()) {
            toData(c);
            trickle(c, "Subject: slow\r\n\r\none octet at a time, never in a hurry\r\n.\r\n", 50);
            assertThat(c.reply()).isEqualTo(TIMEOUT);
            assertThat(c.line()).isNull();
        }
        assertThat(count("alice@example.org")).isEqualTo(before);
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void bdatChunksSpacedOutBelowTheMinimumRateShouldBeCutWith421AndNothingStored() throws Exception {
        start(Deadlines.DEFAULT.withMinDataRate(1000, Duration.ofMillis(300)));
        int before = count("alice@example.org");
        try (RawClient c = mx()) {
            c.write("EHLO client.example\r\n");
            c.reply();
            c.write("MAIL FROM:<sender@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\n");
            assertThat(c.replies(2)).startsWith("250");
            // every chunk arrives whole and at once; only the pauses between them are slow
            String reply = null;
            try {
                for (int i = 0; i < 100; i++) {
                    c.write("BDAT 5\r\nhello");
                    reply = c.reply();
                    if (reply == null || !reply.startsWith("250")) {
                        break;
                    }
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                reply = c.reply();
            }
            assertThat(reply).isEqualTo(TIMEOUT);
        }
        assertThat(count("alice@example.org")).isEqualTo(before);
    }

    @Test
    void messageSentAtAnOrdinaryPaceShouldPassEveryDeadline() throws Exception {
        start(Deadlines.DEFAULT.withMinDataRate(1000, Duration.ofMillis(300)).withCommandLine(Duration.ofMillis(300)));
        int before = count("alice@example.org");
        try (RawClient c = mx()) {
            toData(c);
            c.write("Subject: ordinary\r\n\r\n");
            String line = "x".repeat(998) + "\r\n";
            for (int i = 0; i < 20; i++) { // 20 kB in 20 writes, well above the floor
                c.write(line);
            }
            c.write(".\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
        }
        assertThat(count("alice@example.org")).isEqualTo(before + 1);
    }
}
