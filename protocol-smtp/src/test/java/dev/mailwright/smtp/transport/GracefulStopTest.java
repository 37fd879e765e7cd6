package dev.mailwright.smtp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Stopping the server (SIGTERM in the all-in-one server): idle sessions are told {@code 421} at
 * once, a message being transferred may finish within the grace period, and one that does not
 * finish in time is dropped without anything stored.
 */
@Timeout(60)
class GracefulStopTest {

    private final MailStore store = SessionHarness.fixtureStore();
    private SmtpServer server;
    private Thread stopper;

    private int start(Duration grace) {
        server = SmtpServer.builder().hostname("mx.example.org").store(store)
                .settings(s -> s.shutdownGrace(grace)).mx(0).start();
        return server.port(SmtpSettings.Mode.MX);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (stopper != null) {
            stopper.join(30_000);
        } else {
            server.close();
        }
    }

    /** Stops the server on another thread and returns once it no longer accepts connections. */
    private void stopInBackground(int port) throws InterruptedException {
        stopper = new Thread(server::close, "test-stop");
        stopper.start();
        while (true) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread.sleep(10);
            } catch (ConnectException e) {
                return; // unbound: the stop has begun
            } catch (IOException e) {
                return;
            }
        }
    }

    private int messages(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            return drop.messages().size();
        }
    }

    private static RawClient inData(int port) throws IOException {
        RawClient c = new RawClient(port);
        assertThat(c.reply()).startsWith("220 ");
        c.write("EHLO client.example\r\n");
        assertThat(c.reply()).startsWith("250-");
        c.write("MAIL FROM:<someone@elsewhere.test>\r\n");
        assertThat(c.reply()).startsWith("250 ");
        c.write("RCPT TO:<bob@example.org>\r\n");
        assertThat(c.reply()).startsWith("250 ");
        c.write("DATA\r\n");
        assertThat(c.reply()).startsWith("354 ");
        c.write("Subject: in flight\r\n\r\nfirst half\r\n");
        return c;
    }

    @Test
    void idleSessionShouldGet421AtOnce() throws Exception {
        int port = start(Duration.ofSeconds(30));
        try (RawClient c = new RawClient(port)) {
            assertThat(c.reply()).startsWith("220 ");
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).startsWith("250-");
            stopInBackground(port);
            assertThat(c.reply()).isEqualTo("421 4.3.2 Service not available, closing transmission channel");
            assertThat(c.closedByServer()).isTrue();
        }
        stopper.join(10_000);
        assertThat(stopper.isAlive()).as("stop waits for nobody when no transaction is open").isFalse();
    }

    @Test
    void transactionInProgressShouldFinishWithinTheGracePeriodThenGet421() throws Exception {
        int port = start(Duration.ofSeconds(30));
        int before = messages("bob@example.org");
        try (RawClient c = inData(port)) {
            stopInBackground(port);
            c.write("second half\r\n.\r\n");
            assertThat(c.reply()).startsWith("250 2.0.0");
            assertThat(c.reply()).startsWith("421 4.3.2");
            assertThat(c.closedByServer()).isTrue();
        }
        stopper.join(10_000);
        assertThat(messages("bob@example.org")).isEqualTo(before + 1);
    }

    @Test
    void transactionUnfinishedAfterTheGracePeriodShouldBeDroppedWithNothingStored() throws Exception {
        int port = start(Duration.ofMillis(300));
        int before = messages("bob@example.org");
        try (RawClient c = inData(port)) {
            stopInBackground(port);
            // the client stalls in the middle of the content
            assertThat(c.reply()).isEqualTo("421 4.3.2 Service not available, closing transmission channel");
            assertThat(c.closedByServer()).isTrue();
        }
        stopper.join(10_000);
        assertThat(messages("bob@example.org")).isEqualTo(before);
    }
}
