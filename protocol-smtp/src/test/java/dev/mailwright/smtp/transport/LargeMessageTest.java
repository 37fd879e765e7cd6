package dev.mailwright.smtp.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.smtp.testing.TestTls;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 100 MB message through submission (STARTTLS, AUTH) into a caller's handler that only
 * hashes the body, in a JVM whose heap is capped far below the message size (the
 * {@code large-message} surefire execution runs it with {@code -Xmx64m}). Client and server share
 * that heap, so neither side may hold the message.
 */
@Tag("large-message")
class LargeMessageTest {

    private static final long BODY_OCTETS = Long.getLong("large.megabytes", 100) * 1024 * 1024;

    /** Hashes everything after the header section. */
    private static final class BodyHash extends OutputStream {
        private final MessageDigest digest = sha256();
        private int matched; // progress through CRLF CRLF
        private boolean inBody;
        private long octets;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int i = off;
            while (!inBody && i < off + len) {
                byte c = b[i++];
                matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
                inBody = matched == 4;
            }
            digest.update(b, i, off + len - i);
            octets += off + len - i;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void hundredMegabyteMessageShouldStreamThroughSubmissionWithASmallHeap() throws IOException {
        assertThat(Runtime.getRuntime().maxMemory()).as("heap cap of the large-message execution").isLessThan(BODY_OCTETS);
        AtomicReference<String> received = new AtomicReference<>();
        AtomicLong receivedOctets = new AtomicLong();
        MailHandler.Factory hashing = session -> new MailHandler() {
            private final BodyHash hash = new BodyHash();

            @Override
            public OutputStream content() {
                return hash;
            }

            @Override
            public void done() {
                received.set(HexFormat.of().formatHex(hash.digest.digest()));
                receivedOctets.set(hash.octets);
            }
        };
        try (SmtpServer server = SmtpServer.builder().hostname("mx.example.org").handler(hashing)
                .authenticator(dev.mailwright.protocol.Authenticator.of(SessionHarness.fixtureStore().accounts()))
                .tls(TestTls.server()).settings(s -> s.maxMessageSize(200L * 1024 * 1024)).submission(0).start();
             RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION))) {
            c.reply();
            c.write("EHLO client.example\r\nSTARTTLS\r\n");
            c.replies(2);
            c.startTls();
            c.write("EHLO client.example\r\n");
            c.reply();
            c.write("AUTH PLAIN " + Base64.getEncoder().encodeToString(
                    ("\0alice@example.org\0" + SessionHarness.ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n");
            assertThat(c.reply()).startsWith("235");
            c.write("MAIL FROM:<alice@example.org> SIZE=" + (BODY_OCTETS + 1000) + "\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
            assertThat(c.replies(3)).endsWith("354 End data with <CR><LF>.<CR><LF>\n");

            Sent sent = send(c);
            assertThat(c.reply()).startsWith("250 2.0.0 Ok");
            assertThat(receivedOctets.get()).isEqualTo(sent.octets());
            assertThat(received.get()).isEqualTo(sent.sha256());
        }
    }

    /** The body sent, as the receiver should see it. */
    private record Sent(String sha256, long octets) {
    }

    /** Sends the header and BODY_OCTETS of body (every 100th line dot-stuffed) and the final dot. */
    private static Sent send(RawClient c) throws IOException {
        MessageDigest sent = sha256();
        c.write("Subject: big\r\nDate: Sun, 22 Nov 2026 08:00:00 +0000\r\nMessage-ID: <big@client.example>\r\n\r\n");
        byte[] plain = ("0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01234\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] dotted = (".starts with a dot, stuffed on the wire" + "x".repeat(38) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] block = new byte[64 * 1024];
        int used = 0;
        long body = 0;
        for (long line = 0; body < BODY_OCTETS; line++) {
            byte[] l = line % 100 == 0 ? dotted : plain;
            sent.update(l);
            body += l.length;
            if (used + l.length + 1 > block.length) {
                c.write(java.util.Arrays.copyOf(block, used));
                used = 0;
            }
            if (l == dotted) {
                block[used++] = '.';
            }
            System.arraycopy(l, 0, block, used, l.length);
            used += l.length;
        }
        c.write(java.util.Arrays.copyOf(block, used));
        c.write(".\r\n");
        return new Sent(HexFormat.of().formatHex(sent.digest()), body);
    }

    /**
     * The same message on the MX past a content hook (issue 23, ADR 0030): the hook reads the
     * spooled content twice and adds a field; the handler still gets every octet, and the heap
     * never held the message.
     */
    @Test
    void hundredMegabyteMessageShouldPassAContentHookThatReadsItTwiceWithASmallHeap() throws IOException {
        AtomicReference<String> received = new AtomicReference<>();
        AtomicReference<String> hookSaw = new AtomicReference<>();
        AtomicReference<String> firstField = new AtomicReference<>();
        MailHandler.Factory hashing = session -> new MailHandler() {
            private final BodyHash hash = new BodyHash();
            private final java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();

            @Override
            public OutputStream content() {
                return new OutputStream() {
                    @Override
                    public void write(int b) {
                        write(new byte[] {(byte) b}, 0, 1);
                    }

                    @Override
                    public void write(byte[] b, int off, int len) {
                        if (head.size() < 1000) {
                            head.write(b, off, Math.min(len, 1000 - head.size()));
                        }
                        hash.write(b, off, len);
                    }
                };
            }

            @Override
            public void done() {
                received.set(HexFormat.of().formatHex(hash.digest.digest()));
                firstField.set(head.toString(StandardCharsets.US_ASCII));
            }
        };
        dev.mailwright.smtp.policy.SmtpPolicy hook = new dev.mailwright.smtp.policy.SmtpPolicy() {
            @Override
            public boolean readsContent(dev.mailwright.smtp.api.SessionInfo session) {
                return true;
            }

            @Override
            public dev.mailwright.smtp.policy.ContentVerdict content(dev.mailwright.smtp.api.SessionInfo session,
                    dev.mailwright.smtp.api.MailFrom from, java.util.List<dev.mailwright.smtp.api.RcptTo> recipients,
                    dev.mailwright.smtp.policy.ReceivedContent content,
                    java.util.List<dev.mailwright.smtp.policy.ContentVerdict> earlier) {
                String first = null;
                for (int pass = 0; pass < 2; pass++) {
                    BodyHash h = new BodyHash();
                    try (java.io.InputStream in = content.open()) {
                        in.transferTo(h);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    String hex = HexFormat.of().formatHex(h.digest.digest());
                    assertThat(first == null || first.equals(hex)).isTrue();
                    first = hex;
                }
                hookSaw.set(first);
                return dev.mailwright.smtp.policy.ContentVerdict.pass("test").withField("X-Checked: whole")
                        .withSubjectTag("[BIG]");
            }
        };
        try (SmtpServer server = SmtpServer.builder().hostname("mx.example.org").handler(hashing).policy(hook)
                .settings(s -> s.maxMessageSize(200L * 1024 * 1024)).mx(0).start();
             RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX))) {
            c.reply();
            c.write("EHLO client.example\r\n");
            c.reply();
            c.write("MAIL FROM:<someone@elsewhere.test> SIZE=" + (BODY_OCTETS + 1000) + "\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
            assertThat(c.replies(3)).endsWith("354 End data with <CR><LF>.<CR><LF>\n");
            Sent sent = send(c);
            assertThat(c.reply()).startsWith("250 2.0.0 Ok");
            assertThat(hookSaw.get()).isEqualTo(sent.sha256());
            assertThat(received.get()).isEqualTo(sent.sha256());
            assertThat(firstField.get()).startsWith("Return-Path: <someone@elsewhere.test>\r\nX-Checked: whole\r\nReceived: ").contains("\r\nSubject: [BIG] big\r\n");
        }
    }
}
