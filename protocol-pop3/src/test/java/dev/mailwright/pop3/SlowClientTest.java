package dev.mailwright.pop3;

import static dev.mailwright.pop3.support.Pop3Fixture.ALICE;
import static dev.mailwright.pop3.support.Pop3Fixture.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.pop3.support.Pop3Fixture;
import dev.mailwright.pop3.support.RawClient;
import dev.mailwright.protocol.Deadlines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that hold a connection by sending slowly (issue 22, ADR 0028), with short deadlines:
 * the server answers {@code -ERR}, closes, and changes nothing.
 */
@Timeout(60)
class SlowClientTest {

    private Pop3Fixture pop3;

    @AfterEach
    void stop() {
        if (pop3 != null) {
            pop3.close();
        }
    }

    private Pop3Fixture start(Deadlines deadlines) {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)
                .limits(Pop3Settings.DEFAULT_LIMITS.withDeadlines(deadlines))));
        return pop3;
    }

    /** Sends one octet every {@code gapMillis} until done or the server hangs up. */
    private static void trickle(RawClient c, String text, long gapMillis) throws InterruptedException {
        try {
            for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
                c.send(new byte[] {b});
                Thread.sleep(gapMillis);
            }
        } catch (IOException e) {
            // cut off: the reply is still to be read
        }
    }

    @Test
    void commandLineTrickledOneOctetAtATimeShouldGetErrAndBeClosed() throws Exception {
        start(Deadlines.DEFAULT.withCommandLine(Duration.ofMillis(300)));
        try (RawClient c = pop3.connect()) {
            trickle(c, "USER " + ALICE + "\r\n", 50);
            assertThat(c.readLine()).isEqualTo("-ERR autologout: command line not completed in time");
            assertThat(c.readLine()).isNull();
        }
    }

    @Test
    void commandLineTrickledAfterLoginShouldBeCutWithoutDeleting() throws Exception {
        start(Deadlines.DEFAULT.withCommandLine(Duration.ofMillis(300)));
        pop3.deliver("Subject: a\r\n\r\nbody\r\n");
        try (RawClient c = pop3.connect()) {
            assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK");
            assertThat(c.command("DELE 1")).startsWith("+OK");
            trickle(c, "QUIT\r\n", 150);
            assertThat(c.readLine()).isEqualTo("-ERR autologout: command line not completed in time");
            assertThat(c.readLine()).isNull();
        }
        assertThat(pop3.messages()).isEqualTo(1);
    }

    @Test
    void clientThatNeverLogsInShouldBeCutAtThePreAuthDeadline() throws Exception {
        start(Deadlines.DEFAULT.withPreAuth(Duration.ofMillis(500)));
        try (RawClient c = pop3.connect()) {
            String reply;
            do { // every command answered at once: the idle timeout never comes near
                reply = c.command("CAPA");
                if (reply.startsWith("+OK")) {
                    c.readMultiLineText();
                }
                Thread.sleep(50);
            } while (reply.startsWith("+OK"));
            assertThat(reply).isEqualTo("-ERR autologout: not logged in within the time allowed");
            assertThat(c.readLine()).isNull();
        }
    }

    @Test
    void clientThatLoggedInShouldOutliveThePreAuthDeadline() throws Exception {
        start(Deadlines.DEFAULT.withPreAuth(Duration.ofSeconds(3)));
        try (RawClient c = pop3.connect()) {
            assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK");
            Thread.sleep(3500); // past the deadline it escaped, however long the login took
            assertThat(c.command("STAT")).startsWith("+OK");
        }
    }
}
