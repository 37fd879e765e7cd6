package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.store.Address;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 23's abuse controls through the whole server on PostgreSQL (ADR 0031), configured by
 * environment variables as an operator would: greylisting on the MX, a sending limit on
 * submission, and rspamd (fail-closed while unreachable; GTUBE refused when a real rspamd is
 * named by MAILWRIGHT_TEST_RSPAMD_URL, as .ci/run does).
 */
@Timeout(120)
class AbuseControlWiringTest {

    @TempDir
    Path dataDir;

    private static String nobodyListening() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + s.getLocalPort();
        }
    }

    private MailwrightServer start(Map<String, String> extra) {
        Map<String, String> env = ServerTestSupport.env(dataDir, TestDatabases.fresh());
        env.put("MAILWRIGHT_HOSTNAME", "mx.example.org");
        env.put("MAILWRIGHT_SMTP_GREYLISTING", "true");
        env.put("MAILWRIGHT_SMTP_GREYLISTING_DELAY", "0s"); // a retry passes at once: no waiting in a test
        env.put("MAILWRIGHT_SMTP_USER_MESSAGES_PER_HOUR", "1");
        env.putAll(extra);
        MailwrightServer server = MailwrightServer.start(ConfigLoader.load(Optional.empty(), env));
        server.store().domains().add("example.org");
        server.store().accounts().add(Address.parse("alice@example.org"), "alice-password-1".toCharArray());
        return server;
    }

    @Test
    void mxShouldGreylistThenPassAndSubmissionShouldHitItsLimitAndRspamdFailClosed() throws Exception {
        try (MailwrightServer server = start(Map.of("MAILWRIGHT_RSPAMD_ENABLED", "true",
                "MAILWRIGHT_RSPAMD_URL", nobodyListening(), "MAILWRIGHT_RSPAMD_FAILURE", "closed"))) {
            int mx = server.ports().get("smtp");
            assertThat(mx(mx, "Subject: hi\r\n\r\nhello\r\n")).startsWith("451 4.7.1 Greylisted");
            assertThat(mx(mx, "Subject: hi\r\n\r\nhello\r\n")).as("the retry passes greylisting, then rspamd is away")
                    .isEqualTo("451 4.3.0 Content filter unavailable, try again later");
            assertThat(server.registry().get("mailwright.greylist").tag("outcome", "new").counter().count()).isEqualTo(1);
            assertThat(server.registry().get("mailwright.greylist").tag("outcome", "passed").counter().count()).isEqualTo(1);
            assertThat(server.registry().get("mailwright.filter.failures").tag("reason", "unavailable").counter().count())
                    .isEqualTo(1);

            int submission = server.ports().get("submission");
            try (Session s = new Session(submission)) {
                s.starttls();
                assertThat(s.cmd("AUTH PLAIN " + Base64.getEncoder().encodeToString(
                        "\0alice@example.org\0alice-password-1".getBytes(UTF_8)))).startsWith("235");
                assertThat(s.cmd("MAIL FROM:<alice@example.org>")).startsWith("250");
                assertThat(s.cmd("RSET")).startsWith("250");
                assertThat(s.cmd("MAIL FROM:<alice@example.org>"))
                        .isEqualTo("451 4.7.1 Sending limit reached: at most 1 messages per hour, please try again later");
            }
            assertThat(server.registry().get("mailwright.sending.limit.hits").tag("limit", "messages").counter().count())
                    .isEqualTo(1);
        }
    }

    @Test
    void gtubeShouldBeRefusedByTheRealRspamdThroughTheWholeServer() throws Exception {
        String url = System.getenv("MAILWRIGHT_TEST_RSPAMD_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(),
                "no rspamd to test against: run .ci/rspamd-start and set MAILWRIGHT_TEST_RSPAMD_URL (as .ci/run does)");
        try (MailwrightServer server = start(Map.of("MAILWRIGHT_RSPAMD_ENABLED", "true", "MAILWRIGHT_RSPAMD_URL", url))) {
            int mx = server.ports().get("smtp");
            String gtube = "Subject: offer\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n";
            assertThat(mx(mx, gtube)).startsWith("451 4.7.1 Greylisted");
            assertThat(mx(mx, gtube)).isEqualTo("550 5.7.1 Message rejected as spam");
            assertThat(mx(mx, "Subject: lunch\r\n\r\nShall we have lunch at noon?\r\n")).startsWith("250");
            assertThat(server.registry().get("mailwright.filter.checks").tag("action", "reject").counter().count())
                    .isEqualTo(1);
        }
    }

    /** One MX transaction from sender@remote.test to alice; the reply to RCPT if it refused, else to the content. */
    private static String mx(int port, String content) throws Exception {
        try (Session s = new Session(port)) {
            assertThat(s.cmd("MAIL FROM:<sender@remote.test>")).startsWith("250");
            String rcpt = s.cmd("RCPT TO:<alice@example.org>");
            if (!rcpt.startsWith("250")) {
                return rcpt;
            }
            assertThat(s.cmd("DATA")).startsWith("354");
            return s.cmd(content + ".");
        }
    }

    /** A raw SMTP session after EHLO. */
    private static final class Session implements AutoCloseable {
        private Socket socket;
        private BufferedReader in;
        private OutputStream out;

        Session(int port) throws Exception {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8));
            out = socket.getOutputStream();
            reply();
            cmd("EHLO client.example");
        }

        void starttls() throws Exception {
            assertThat(cmd("STARTTLS")).startsWith("220");
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
                }

                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ctx.getSocketFactory()
                    .createSocket(socket, "localhost", socket.getPort(), true);
            tls.startHandshake();
            socket = tls;
            in = new BufferedReader(new InputStreamReader(tls.getInputStream(), UTF_8));
            out = tls.getOutputStream();
            cmd("EHLO client.example");
        }

        String cmd(String line) throws Exception {
            out.write((line + "\r\n").getBytes(UTF_8));
            out.flush();
            return reply();
        }

        private String reply() throws Exception {
            String line;
            StringBuilder all = new StringBuilder();
            while ((line = in.readLine()) != null) {
                all.append(line).append('\n');
                if (line.length() < 4 || line.charAt(3) == ' ') {
                    return line;
                }
            }
            return all.toString();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
