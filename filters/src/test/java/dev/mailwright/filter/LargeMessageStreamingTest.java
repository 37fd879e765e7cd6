package dev.mailwright.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.filter.rspamd.RspamdFilter;
import dev.mailwright.filter.rspamd.RspamdSettings;
import dev.mailwright.filter.testing.Clients;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.store.Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A message of 100 MB through {@link FilteringMessageSink}, the rspamd client and the header
 * edit with the heap capped far below it (the large-message execution runs with -Xmx64m): none
 * of them may hold the message whole. The rspamd here is a stand-in that reads and counts the
 * body and answers rspamd's JSON, since rspamd itself refuses messages this large.
 */
@Tag("large-message")
class LargeMessageStreamingTest {

    private static final long BODY = 100L * 1024 * 1024;
    private static final byte[] HEADER = "Received: from client.example\r\nSubject: big\r\n\r\n".getBytes(US_ASCII);

    @Test
    void hundredMegabytesShouldStreamToRspamdAndIntoTheSinkWithTheEditedHeader() throws Exception {
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
            CountingSink sink = new CountingSink();
            MessageSink filtered = FilteringMessageSink.wrap((session, from) -> sink,
                    new RspamdFilter(settings, "mx.example.org", FilterMetrics.NONE), s -> true)
                    .open(Clients.mx("192.0.2.1", "client.example"), MailFrom.of(Optional.of(Address.parse("sender@remote.test"))));
            filtered.recipient(RcptTo.of(Address.parse("alice@example.org")));
            try (OutputStream out = filtered.content()) {
                out.write(HEADER);
                byte[] line = ("x".repeat(998) + "\r\n").getBytes(US_ASCII);
                for (long n = 0; n < BODY; n += line.length) {
                    out.write(line);
                }
            }
            long written = HEADER.length + (BODY + 999) / 1000 * 1000;
            assertThat(filtered.commit()).startsWith("kept");
            assertThat(scanned.get()).as("octets rspamd read").isEqualTo(written);
            String added = "X-Spam-Status: Yes, score=7.00 required=15.00 action=add_header\r\nX-Spam: Yes\r\n";
            assertThat(sink.head.toString(US_ASCII))
                    .startsWith("Received: from client.example\r\n" + added + "Subject: [SPAM] big\r\n\r\nxxx");
            assertThat(sink.count).isEqualTo(written + added.length() + "[SPAM] ".length());
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

    /** Keeps the first 200 octets and counts the rest. */
    private static final class CountingSink implements MessageSink {
        final ByteArrayOutputStream head = new ByteArrayOutputStream();
        long count;

        @Override
        public void recipient(RcptTo recipient) {
        }

        @Override
        public boolean delivers() {
            return true;
        }

        @Override
        public OutputStream content() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    int keep = (int) Math.max(0, Math.min(len, 200 - count));
                    head.write(b, off, keep);
                    count += len;
                }
            };
        }

        @Override
        public String commit() {
            return "kept " + count + " octets";
        }

        @Override
        public void abort() {
        }
    }
}
