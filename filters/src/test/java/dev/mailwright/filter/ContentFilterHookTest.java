package dev.mailwright.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.filter.rspamd.RspamdFilter;
import dev.mailwright.filter.rspamd.RspamdSettings;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.policy.ContentVerdict;
import dev.mailwright.smtp.policy.ReceivedContent;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * rspamd asked from protocol-smtp's content hook (ADR 0030), after a stand-in for mail
 * authentication whose verdicts it passes on: an MX on a free port, Jakarta Mail over a socket.
 * The tests that need a real rspamd are skipped without MAILWRIGHT_TEST_RSPAMD_URL.
 */
class ContentFilterHookTest {

    private final MailStore store = new InMemoryMailStore();
    private SmtpServer server;

    /** Reports what mail authentication would have found, as MailAuthentication names it. */
    private static SmtpPolicy authentication(Map<String, String> results) {
        return new SmtpPolicy() {
            @Override
            public boolean readsContent(SessionInfo session) {
                return true;
            }

            @Override
            public boolean mayBlock(Stage stage, SessionInfo session) {
                return false;
            }

            @Override
            public ContentVerdict content(SessionInfo session, MailFrom from, List<RcptTo> recipients,
                                          ReceivedContent content, List<ContentVerdict> earlier) {
                ContentVerdict v = ContentVerdict.pass("auth");
                for (Map.Entry<String, String> e : results.entrySet()) {
                    v = v.withResult(e.getKey(), e.getValue());
                }
                return v;
            }
        };
    }

    private void start(RspamdSettings settings, Map<String, String> authResults) {
        store.domains().add("example.org");
        store.accounts().add(Address.parse("alice@example.org"), "alice-password-1".toCharArray());
        server = SmtpServer.builder().hostname("mx.example.org").store(store)
                .policy(authentication(authResults))
                .policy(new ContentFilterHook("rspamd", new RspamdFilter(settings, "mx.example.org", FilterMetrics.NONE),
                        session -> session.authenticatedUser().isEmpty()))
                .mx(0).start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static URI rspamd() {
        String u = System.getenv("MAILWRIGHT_TEST_RSPAMD_URL");
        Assumptions.assumeTrue(u != null && !u.isBlank(),
                "no rspamd to test against: run .ci/rspamd-start and set MAILWRIGHT_TEST_RSPAMD_URL (as .ci/run does)");
        return URI.create(u.trim());
    }

    private void send(String subject, String body, String... extraHeaders) throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(server.port()));
        p.put("mail.smtp.localhost", "mail.bank.example");
        p.put("mail.smtp.timeout", "30000");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("billing@bank.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("alice@example.org"));
        m.setSubject(subject);
        m.setText(body);
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            m.addHeader(extraHeaders[i], extraHeaders[i + 1]);
        }
        Transport.send(m);
    }

    private String newest() throws Exception {
        long id = store.accounts().get(Address.parse("alice@example.org")).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            var list = drop.messages();
            try (InputStream in = drop.open(list.get(list.size() - 1).uid())) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }

    @Test
    void gtubeShouldBeRefusedThroughTheContentHook() throws Exception {
        start(RspamdSettings.of(rspamd()), Map.of());
        assertThatThrownBy(() -> send("offer", "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n"))
                .hasStackTraceContaining("550 5.7.1 Message rejected as spam");
    }

    @Test
    void failedAuthenticationShouldWeighInRspamdsScoreAndMarkTheMessage() throws Exception {
        start(RspamdSettings.of(rspamd()), Map.of("spf", "fail", "dkim", "fail", "dmarc", "fail",
                "dmarc.disposition", "reject"));
        send("invoice", "Please pay.\n", "X-Spam", "No");
        assertThat(newest()).contains("\r\nX-Spam: Yes\r\n").contains("X-Spam-Status: Yes, score=")
                .doesNotContain("X-Spam: No");
    }

    @Test
    void passedAuthenticationShouldLeaveACleanMessageUnmarked() throws Exception {
        start(RspamdSettings.of(rspamd()), Map.of("spf", "pass", "dkim", "pass", "dmarc", "pass"));
        send("invoice", "Please pay.\n");
        assertThat(newest()).contains("X-Spam-Status: No, score=").doesNotContain("X-Spam: Yes");
    }

    @Test
    void unreachableRspamdShouldFollowTheFailureRuleThroughTheContentHook() throws Exception {
        URI nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
        start(RspamdSettings.of(nobody).withFailOpen(false), Map.of());
        assertThatThrownBy(() -> send("lunch", "Shall we have lunch?\n"))
                .hasStackTraceContaining("451 4.3.0 Content filter unavailable");
    }
}
