package dev.mailwright.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailwright.store.Address;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.RemoteRecipient;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Coverage-guided fuzzing of what a remote SMTP server says to our outbound client, and of the DSN
 * that carries it back to the sender (ADR 0025). The input, up to a {@code 0xFF}, is what the
 * server sends on a loopback connection; what follows is the undelivered message.
 *
 * <p>{@link SmtpClient#read} either gives a well-formed reply (a code 2xx-5xx, an enhanced status
 * of the same class) or the documented {@code IOException} naming the peer; the reply's text goes
 * into a DSN whose delivery-status fields stay one printable line each (no field injection from a
 * hostile server), and whose headers-only part never carries the original's body.
 */
class RemoteReplyFuzzTest {

    private static final ServerSocket SERVER;
    private static final Address SENDER = Address.parse("sender@example.org");
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    static {
        try {
            SERVER = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            // the one connection this target makes is to its own loopback server: not a request forgery
            BugDetectors.allowNetworkConnections((host, port) -> port == SERVER.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void repliesShouldBeWellFormedOrRefused(byte[] input) throws IOException {
        int split = indexOf(input, (byte) 0xFF);
        byte[] said = split < 0 ? input : Arrays.copyOf(input, split);
        byte[] original = split < 0 ? new byte[0] : Arrays.copyOfRange(input, split + 1, input.length);
        List<Reply> replies = new ArrayList<>();
        try (SmtpClient client = SmtpClient.connect(new InetSocketAddress(SERVER.getInetAddress(), SERVER.getLocalPort()),
                "mx.remote.test", Duration.ofSeconds(10), null, false);
             Socket remote = SERVER.accept()) {
            try (OutputStream out = remote.getOutputStream()) {
                out.write(said);
            }
            while (replies.size() < 100) {
                try {
                    replies.add(client.read(Duration.ofSeconds(10)));
                } catch (IOException e) {
                    assertThat(e.getMessage()).contains("mx.remote.test");
                    break;
                }
            }
        }
        for (Reply r : replies) {
            assertThat(r.code()).isBetween(200, 599);
            assertThat(r.status()).matches("[245]\\.\\d{1,3}\\.\\d{1,3}").startsWith(String.valueOf(r.code() / 100));
            assertThat(r.toString()).hasSizeLessThanOrEqualTo(400).matches("[ -~]*");
            SmtpClient.extensions(r);
            if (!r.isPositive()) {
                assertDsn(r, original);
            }
        }
    }

    private static void assertDsn(Reply reply, byte[] original) throws IOException {
        Envelope envelope = new Envelope(Optional.of(SENDER), NOW, Optional.of("HDRS"), Optional.of("id 1"), false, Optional.empty());
        QueueItem item = new QueueItem(1, 1, envelope, new RemoteRecipient(Address.parse("rcpt@remote.test"),
                Set.of("FAILURE"), Optional.of("rfc822;rcpt@remote.test")), QueueItem.State.QUEUED, 1, NOW, NOW,
                Optional.empty(), false, Optional.empty());
        ByteArrayOutputStream dsn = new ByteArrayOutputStream();
        DeliveryReport.write(dsn, "mx.example.org", DeliveryReport.Action.FAILED, envelope,
                List.of(DeliveryReport.Entry.of(item, Outcome.of(reply, "mx.remote.test"), NOW)),
                new ByteArrayInputStream(original), NOW, Optional.empty());
        String text = dsn.toString(StandardCharsets.UTF_8);
        int status = text.indexOf("Content-Type: message/delivery-status\r\n\r\n");
        assertThat(status).isPositive();
        String fields = text.substring(status + 41, text.indexOf("\r\n--", status));
        for (String line : fields.split("\r\n", -1)) {
            assertThat(line).matches("|[A-Za-z-]+: [ -~]*");
        }
        assertThat(fields).contains("Status: " + reply.status() + "\r\n");
    }

    private static int indexOf(byte[] b, byte value) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
