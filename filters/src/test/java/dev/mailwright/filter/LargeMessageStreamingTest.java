package dev.mailwright.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.filter.rspamd.RspamdFilter;
import dev.mailwright.filter.rspamd.RspamdSettings;
import dev.mailwright.filter.testing.Clients;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.policy.ContentVerdict;
import dev.mailwright.smtp.policy.ReceivedContent;
import dev.mailwright.store.Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A message of 100 MB from the content hook through the rspamd client with the heap capped far
 * below it (the large-message execution runs with -Xmx64m): neither may hold the message whole. The rspamd here is a stand-in that reads and counts the
 * body and answers rspamd's JSON, since rspamd itself refuses messages this large.
 */
@Tag("large-message")
class LargeMessageStreamingTest {

    private static final long BODY = 100L * 1024 * 1024;
    private static final byte[] HEADER = "Received: from client.example\r\nSubject: big\r\n\r\n".getBytes(US_ASCII);

    @Test
    void hundredMegabytesShouldStreamFromTheContentHookToRspamd() throws Exception {
        AtomicLong scanned = new AtomicLong(-1);
        try (ServerSocket rspamd = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> answerOnce(rspamd, scanned));
            t.setDaemon(true);
            t.start();
            java.util.Map<String, RspamdSettings.Outcome> actions = new java.util.HashMap<>(RspamdSettings.DEFAULT_ACTIONS);
            actions.put("add header", RspamdSettings.Outcome.SUBJECT_TAG);
            RspamdSettings settings = RspamdSettings.of(URI.create("http://127.0.0.1:" + rspamd.getLocalPort()))
                    .withActions(actions).withMaxSize(Long.MAX_VALUE).withTimeout(java.time.Duration.ofMinutes(2))
                    .withFailOpen(false);
            ContentFilterHook hook = new ContentFilterHook("rspamd",
                    new RspamdFilter(settings, "mx.example.org", FilterMetrics.NONE), s -> true);
            long size = HEADER.length + BODY;
            ReceivedContent content = new ReceivedContent() {
                @Override
                public InputStream open() {
                    return new GeneratedMessage(size);
                }

                @Override
                public long size() {
                    return size;
                }
            };
            ContentVerdict verdict = hook.content(Clients.mx("192.0.2.1", "client.example"),
                    MailFrom.of(Optional.of(Address.parse("sender@remote.test"))),
                    List.of(RcptTo.of(Address.parse("alice@example.org"))), content, List.of());
            assertThat(scanned.get()).as("octets rspamd read").isEqualTo(size);
            assertThat(verdict.refuses()).isFalse();
            assertThat(verdict.fields()).containsExactly(
                    "X-Spam-Status: Yes, score=7.00 required=15.00 action=add_header", "X-Spam: Yes");
            assertThat(verdict.subjectTag()).contains("[SPAM]");
        }
    }

    /** The header, then lines of 998 x and CRLF up to {@code size} octets, made as they are read. */
    private static final class GeneratedMessage extends InputStream {
        private final long size;
        private long pos;

        GeneratedMessage(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (pos >= size) {
                return -1;
            }
            long p = pos++;
            if (p < HEADER.length) {
                return HEADER[(int) p] & 0xff;
            }
            long inLine = (p - HEADER.length) % 1000;
            return inLine == 998 ? '\r' : inLine == 999 ? '\n' : 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) read();
            }
            return n;
        }
    }

    /** Reads one request (head, then Content-Length octets, counted) and answers rspamd's JSON for "add header". */
    private static void answerOnce(ServerSocket server, AtomicLong scanned) {
        try (Socket s = server.accept()) {
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(US_ASCII).endsWith("\r\n\r\n")) {
                head.write(in.read());
            }
            long length = -1;
            for (String line : head.toString(US_ASCII).split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Long.parseLong(line.substring(15).trim());
                }
            }
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            int n;
            while (got < length && (n = in.read(buf, 0, (int) Math.min(buf.length, length - got))) > 0) {
                got += n;
            }
            scanned.set(got);
            byte[] json = "{\"action\":\"add header\",\"score\":7.0,\"required_score\":15.0,\"symbols\":{}}".getBytes(US_ASCII);
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(US_ASCII));
            out.write(json);
            out.flush();
        } catch (IOException e) {
            // the test sees no count
        }
    }
}
