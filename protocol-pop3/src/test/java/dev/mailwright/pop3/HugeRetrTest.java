package dev.mailwright.pop3;

import static dev.mailwright.pop3.support.Pop3Fixture.ALICE;
import static dev.mailwright.pop3.support.Pop3Fixture.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.support.HugeMessageStore;
import dev.mailwright.pop3.support.RawClient;
import dev.mailwright.pop3.support.TestMail;
import dev.mailwright.protocol.limit.AuthThrottle;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 100 MB RETR while the whole JVM (server and client) has a 64 MB heap: only possible if the
 * message is streamed with back-pressure rather than queued. Runs in its own surefire
 * execution with -Xmx64m (tag "large-message").
 */
@Tag("large-message")
class HugeRetrTest {

    @Test
    @Timeout(300)
    void retrOf100MegabytesShouldStreamWithAHeapFarSmallerThanTheMessage() throws IOException {
        assertThat(Runtime.getRuntime().maxMemory()).as("heap cap").isLessThan(80L * 1024 * 1024);
        TestMail mail = new TestMail();
        mail.account(ALICE, PASSWORD);
        HugeMessageStore store = new HugeMessageStore(mail.store(), 100L * 1024 * 1024);
        try (Pop3Server server = Pop3Server.builder().store(store).settings(s -> s.plaintextWithoutTls(true))
                .authThrottle(AuthThrottle.disabled()).start();
             RawClient c = new RawClient(server.port())) {
            c.readLine();
            assertThat(c.login(ALICE, PASSWORD)).isEqualTo("+OK " + ALICE + "'s maildrop has 1 messages ("
                    + store.size() + " octets)");
            assertThat(c.command("RETR 1")).isEqualTo("+OK " + store.size() + " octets");

            InputStream in = new BufferedInputStream(c.socket().getInputStream(), 64 * 1024);
            long octets = 0;
            long stuffed = 0;
            boolean lineStart = true;
            for (;;) {
                int b = in.read();
                assertThat(b).as("end of stream inside the message").isNotNegative();
                if (lineStart && b == '.') {
                    int next = in.read();
                    if (next == '.') {
                        stuffed++;
                        b = next;
                    } else {
                        // the terminator ".CRLF"
                        assertThat(next).isEqualTo('\r');
                        assertThat(in.read()).isEqualTo('\n');
                        break;
                    }
                }
                octets++;
                lineStart = b == '\n';
            }
            assertThat(octets).isEqualTo(store.size());
            assertThat(stuffed).isEqualTo(store.dottedLines());
            assertThat(c.command("NOOP")).isEqualTo("+OK");
        }
    }
}
