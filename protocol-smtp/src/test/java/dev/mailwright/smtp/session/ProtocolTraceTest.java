package dev.mailwright.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.SessionHarness;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The debug protocol trace shows the dialogue but never credentials or message content. */
class ProtocolTraceTest {

    private final Logger trace = (Logger) LoggerFactory.getLogger("dev.mailwright.smtp.trace");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private Level before;

    @BeforeEach
    void capture() {
        before = trace.getLevel();
        trace.setLevel(Level.DEBUG);
        events.start();
        trace.addAppender(events);
    }

    @AfterEach
    void release() {
        trace.detachAppender(events);
        trace.setLevel(before);
    }

    private List<String> lines() {
        return events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void authCredentialsAndContentShouldNotAppearInTheTrace() {
        String password = "alice-password";
        String plain = Base64.getEncoder().encodeToString(("\0alice@example.org\0" + password).getBytes());
        String login = Base64.getEncoder().encodeToString(password.getBytes());
        SessionHarness h = SessionHarness.of(SessionHarness.settings().mode(SmtpSettings.Mode.SUBMISSIONS).build());
        h.lines("EHLO client.example", "AUTH PLAIN " + plain, "RSET").take();
        SessionHarness h2 = SessionHarness.of(SessionHarness.settings().mode(SmtpSettings.Mode.SUBMISSIONS).build());
        h2.lines("EHLO client.example", "AUTH LOGIN",
                Base64.getEncoder().encodeToString("alice@example.org".getBytes()), login,
                "MAIL FROM:<alice@example.org>", "RCPT TO:<bob@example.org>", "DATA", "Subject: secret subject", "",
                "secret body", ".").take();

        String all = String.join("\n", lines());
        assertThat(all).contains("C: EHLO client.example", "C: AUTH PLAIN <redacted>", "S: 235 2.7.0",
                "C: AUTH LOGIN", "C: <SASL response redacted>", "C: MAIL FROM:<alice@example.org>", "S: 354 ",
                "S: 250 2.0.0 Ok: queued as ");
        assertThat(all).doesNotContain(plain, login, password, "secret subject", "secret body");
    }

    @Test
    void credentialsPipelinedBehindARefusedAuthShouldNotAppearInTheTrace() {
        String user = Base64.getEncoder().encodeToString("alice@example.org".getBytes());
        String password = Base64.getEncoder().encodeToString("alice-password".getBytes());
        // on the MX, without TLS, AUTH is refused: the client's pipelined answers arrive as commands
        SessionHarness h = SessionHarness.of(SessionHarness.settings().build());
        h.lines("EHLO client.example", "AUTH LOGIN", user, password, "NOOP").take();
        String all = String.join("\n", lines());
        assertThat(all).contains("C: AUTH LOGIN", "C: <redacted: line after AUTH>", "C: NOOP");
        assertThat(all).doesNotContain(user, password);
    }
}
