package dev.mailwright.pop3.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.pop3.command.Pop3Commands;
import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.pop3.session.Pop3Dispatcher;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.session.Connection;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Coverage-guided fuzzing of whole POP3 dialogues (ADR 0025), in process over the
 * {@link Connection} seam: the real {@link Pop3ProtocolSession} (framing, pipelining, STLS, the one
 * reply writer) and dispatcher, over an in-memory maildrop of three messages.
 *
 * <p>Input layout: the first octet picks the listener (APOP, LAST, STLS possible, already on TLS)
 * and whether reads are split as the transport does; the rest is what the client sends, one write
 * per run of octets between {@code 0xFF} separators. The seeds are the transcripts of
 * {@code src/test/resources/transcripts}.
 *
 * <p>Every reply is {@code +OK}, {@code -ERR} or a SASL {@code +} continuation on a CRLF line; a
 * multi-line one ends with the {@code .} line and has no bare one inside; no stack trace text; and
 * never {@code [SYS/...]}, which only a store failure or an unexpected exception gives (the
 * in-memory store cannot fail). Nothing is written after the server closed.
 */
class Pop3SessionFuzzTest {

    private static final String USER = "bob@example.org";
    private static final String PASSWORD = "pw";
    private static final int MESSAGES = 3;

    private static final InMemoryMailStore STORE = new InMemoryMailStore(Clock.systemUTC(), PasswordHashing.forTests());
    private static final Account BOB;
    /** One listener context per combination of APOP (bit 0) and LAST (bit 1), made once: a context looks up the host name. */
    private static final Pop3Context[] CONTEXTS = new Pop3Context[4];

    static {
        STORE.domains().add("example.org");
        BOB = STORE.accounts().add(Address.parse(USER), PASSWORD.toCharArray());
        for (int i = 0; i < CONTEXTS.length; i++) {
            boolean apop = (i & 0x01) != 0;
            boolean last = (i & 0x02) != 0;
            CONTEXTS[i] = Pop3Server.builder().store(STORE).authThrottle(AuthThrottle.disabled())
                    .settings(s -> s.plaintextWithoutTls(true).apop(apop).last(last).loginDelay(Duration.ZERO))
                    .context();
        }
    }

    @FuzzTest(maxDuration = "2m")
    void dialogueShouldOnlyGetWellFormedReplies(byte[] input) {
        if (input.length == 0) {
            return;
        }
        topUp();
        byte options = input[0];
        Pop3Context context = CONTEXTS[options & 0x03];
        Pop3ProtocolSession session = new Pop3ProtocolSession(context, new Pop3Dispatcher(Pop3Commands.standard((options & 0x02) != 0)));
        RecordingConnection c = new RecordingConnection((options & 0x04) != 0, (options & 0x08) != 0);
        session.started(c);
        ByteBuffer pending = ByteBuffer.allocate(0);
        int from = 1;
        for (int i = 1; i <= input.length; i++) {
            if (i < input.length && input[i] != (byte) 0xFF) {
                continue;
            }
            byte[] write = Arrays.copyOfRange(input, from, i);
            from = i + 1;
            if (c.closed) {
                break;
            }
            ByteBuffer in = ByteBuffer.allocate(pending.remaining() + write.length).put(pending).put(write).flip();
            if ((options & 0x10) != 0) {
                session.receivedWithoutBlocking(in);
            }
            if (!c.tlsRequested) {
                session.received(in);
            }
            if (c.tlsRequested) { // the handshake completes; plaintext sent before it is dropped
                c.tlsRequested = false;
                c.secure = true;
                session.tlsStarted();
                in.position(in.limit());
            }
            pending = in;
        }
        session.ended(c.closed ? ProtocolSession.EndReason.CLOSED_BY_SERVER : ProtocolSession.EndReason.DROPPED);
        for (byte[] reply : c.replies) {
            assertWellFormed(new String(reply, StandardCharsets.UTF_8));
        }
    }

    static void assertWellFormed(String reply) {
        assertThat(reply).endsWith("\r\n");
        String bare = reply.replace("\r\n", ""); // String.replace and lines(), not split: Jazzer hooks regexes
        assertThat(bare.indexOf('\r') < 0 && bare.indexOf('\n') < 0).as("a bare CR or LF in %s", reply).isTrue();
        String[] lines = reply.lines().toArray(String[]::new);
        assertThat(isStatusLine(lines[0])).as("a status line: %s", lines[0]).isTrue();
        assertThat(lines[0]).as("a store failure or unexpected exception").doesNotContain("[SYS/");
        assertThat(lines[0]).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.");
        if (lines.length > 1) {
            assertThat(lines[0]).startsWith("+OK");
            assertThat(lines[lines.length - 1]).isEqualTo(".");
            for (int i = 1; i < lines.length - 1; i++) {
                assertThat(lines[i]).as("an unstuffed dot line").isNotEqualTo(".");
            }
        }
    }

    /**
     * {@code +OK} or {@code -ERR}, alone or followed by a space, or a SASL {@code + base64}
     * continuation. By hand, not with a regex: Jazzer hooks every {@code Pattern} match to steer
     * inputs towards it, and steering the server's own output only costs time.
     */
    private static boolean isStatusLine(String line) {
        for (String status : new String[] {"+OK", "-ERR"}) {
            if (line.startsWith(status)) {
                return line.length() == status.length() || line.charAt(status.length()) == ' ';
            }
        }
        if (!line.startsWith("+ ")) {
            return false;
        }
        for (int i = 2; i < line.length(); i++) {
            char c = line.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=')) {
                return false;
            }
        }
        return true;
    }

    /** Earlier inputs may have deleted messages (DELE then QUIT): keep three in the maildrop. */
    private static void topUp() {
        long have = STORE.accounts().get(BOB.address()).orElseThrow().usage().messages();
        for (long n = have; n < MESSAGES; n++) {
            try (Delivery d = STORE.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()))) {
                byte[] content = ("Subject: message " + n + "\r\n\r\nline one\r\n.dot line\r\n..\r\n" + "x".repeat((int) n * 100)
                        + "\r\n").getBytes(StandardCharsets.US_ASCII);
                d.addLocal(new Resolution.LocalRecipient(BOB.id(), BOB.address()), content.length);
                d.content().write(content);
                d.commit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** A connection without a network: one recorded write per reply; TLS completes when the test says so. */
    private static final class RecordingConnection implements Connection {
        final List<byte[]> replies = new ArrayList<>();
        final boolean tlsConfigured;
        boolean secure;
        boolean tlsRequested;
        boolean closed;

        RecordingConnection(boolean tlsConfigured, boolean secure) {
            this.tlsConfigured = tlsConfigured;
            this.secure = secure;
        }

        @Override
        public String id() {
            return "fuzz";
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return new InetSocketAddress("192.0.2.7", 40000);
        }

        @Override
        public InetSocketAddress localAddress() {
            return new InetSocketAddress("192.0.2.1", 110);
        }

        @Override
        public boolean isSecure() {
            return secure;
        }

        @Override
        public Optional<TlsInfo> tls() {
            return secure ? Optional.of(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256")) : Optional.empty();
        }

        @Override
        public boolean canStartTls() {
            return tlsConfigured && !secure && !tlsRequested;
        }

        @Override
        public void write(byte[] data) {
            assertThat(closed).as("a write after close").isFalse();
            replies.add(data);
        }


        @Override
        public void writeStream(byte[] head, InputStream content) throws IOException {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(head);
            try (content) {
                content.transferTo(all);
            }
            write(all.toByteArray());
        }

        @Override
        public void startTls(String reply) {
            assertThat(canStartTls()).as("STLS only when possible").isTrue();
            writeLine(reply);
            tlsRequested = true;
        }

        @Override
        public void after(Duration delay, Runnable then) {
            then.run();
        }

        @Override
        public void execute(Runnable task) {
            if (!closed) {
                task.run();
            }
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public void abort() {
            closed = true;
        }
    }
}
