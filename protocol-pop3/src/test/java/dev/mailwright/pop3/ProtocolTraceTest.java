package dev.mailwright.pop3;

import static dev.mailwright.pop3.support.Pop3Fixture.ALICE;
import static dev.mailwright.pop3.support.Pop3Fixture.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.mailwright.pop3.support.Pop3Fixture;
import dev.mailwright.pop3.support.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/** The debug protocol trace shows the dialogue but never passwords, SASL data or message content. */
@Timeout(60)
class ProtocolTraceTest {

    private final Logger trace = (Logger) LoggerFactory.getLogger("dev.mailwright.pop3.trace");
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private Level before;
    private Pop3Fixture pop3;

    @BeforeEach
    void capture() {
        before = trace.getLevel();
        trace.setLevel(Level.DEBUG);
        events.start();
        trace.addAppender(events);
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)));
        pop3.deliver("Subject: secret subject\r\n\r\nsecret body\r\n");
    }

    @AfterEach
    void release() {
        pop3.close();
        trace.detachAppender(events);
        trace.setLevel(before);
    }

    @Test
    void passwordsAndContentShouldNotAppearInTheTrace() throws Exception {
        String plain = Base64.getEncoder().encodeToString(("\0" + ALICE + "\0" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        try (RawClient c = pop3.connect()) {
            assertThat(c.command("USER " + ALICE)).startsWith("+OK");
            assertThat(c.command("PASS " + PASSWORD)).startsWith("+OK");
            assertThat(c.command("RETR 1")).startsWith("+OK");
            c.readMultiLine();
            assertThat(c.command("QUIT")).startsWith("+OK");
        }
        try (RawClient c = pop3.connect()) {
            assertThat(c.command("AUTH PLAIN")).startsWith("+ ");
            assertThat(c.command(plain)).startsWith("+OK");
            assertThat(c.command("QUIT")).startsWith("+OK");
        }
        try (RawClient c = pop3.connect()) {
            assertThat(c.command("AUTH PLAIN " + plain)).startsWith("+OK");
            assertThat(c.command("QUIT")).startsWith("+OK");
        }
        String all = String.join("\n", events.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(all).contains("C: USER " + ALICE, "C: PASS <redacted>", "C: RETR 1", "S: +OK",
                "C: <SASL response redacted>", "C: AUTH PLAIN <redacted>");
        assertThat(all).doesNotContain(PASSWORD, plain, "secret subject", "secret body");
    }

    @Test
    void credentialsPipelinedBehindARefusedAuthShouldNotAppearInTheTrace() throws Exception {
        String user = Base64.getEncoder().encodeToString(ALICE.getBytes(StandardCharsets.UTF_8));
        String password = Base64.getEncoder().encodeToString(PASSWORD.getBytes(StandardCharsets.UTF_8));
        try (RawClient c = pop3.connect()) {
            assertThat(c.command("AUTH NO-SUCH-MECHANISM")).startsWith("-ERR");
            assertThat(c.command(user)).startsWith("-ERR");
            assertThat(c.command(password)).startsWith("-ERR");
            assertThat(c.command("QUIT")).startsWith("+OK");
        }
        String all = String.join("\n", events.list.stream().map(ILoggingEvent::getFormattedMessage).toList());
        assertThat(all).contains("C: AUTH NO-SUCH-MECHANISM", "C: <redacted: line after AUTH>", "C: QUIT");
        assertThat(all).doesNotContain(user, password);
    }
}
