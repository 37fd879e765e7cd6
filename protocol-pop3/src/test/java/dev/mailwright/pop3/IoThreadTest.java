package dev.mailwright.pop3;

import static dev.mailwright.pop3.support.Pop3Fixture.ALICE;
import static dev.mailwright.pop3.support.Pop3Fixture.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.support.Pop3Fixture;
import dev.mailwright.pop3.support.RawClient;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replies from memory may be sent by the I/O thread that read the command, but the store is
 * only ever asked from a worker: a slow database never stalls the connections of an I/O thread.
 */
class IoThreadTest {

    private final Pop3Fixture pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true)));

    @AfterEach
    void close() {
        pop3.close();
    }

    @Test
    void theStoreShouldNeverBeAskedFromAnIoThread() throws IOException {
        for (int i = 1; i <= 5; i++) {
            pop3.deliver("Subject: " + i + "\r\n\r\nbody " + i + "\r\n");
        }
        try (RawClient c = pop3.connect()) {
            assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK");
            assertThat(c.command("STAT")).isEqualTo("+OK 5 " + (5 * 22));
            for (int i = 1; i <= 2; i++) {
                assertThat(c.command("RETR " + i)).startsWith("+OK");
                assertThat(c.readMultiLineText()).contains("body " + i);
            }
            // pipelined: read-ahead messages, a listing and a deletion in one packet
            c.send("RETR 3\r\nRETR 4\r\nUIDL 4\r\nDELE 1\r\nRETR 5\r\nSTAT\r\n");
            for (int i = 3; i <= 5; i++) {
                assertThat(c.readLine()).startsWith("+OK");
                assertThat(c.readMultiLineText()).contains("body " + i);
                if (i == 4) {
                    assertThat(c.readLine()).startsWith("+OK 4 ");
                    assertThat(c.readLine()).isEqualTo("+OK message 1 deleted");
                }
            }
            assertThat(c.readLine()).isEqualTo("+OK 4 " + (4 * 22));
            assertThat(c.command("QUIT")).startsWith("+OK");
        }
        assertThat(pop3.messages()).isEqualTo(4);
        assertThat(pop3.mail.store.callers()).isNotEmpty()
                .noneMatch(name -> name.startsWith("NioProcessor") || name.startsWith("NioSocketAcceptor"));
    }
}
