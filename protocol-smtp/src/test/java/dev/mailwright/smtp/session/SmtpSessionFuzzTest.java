package dev.mailwright.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.delivery.StoreMessageSink;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;

/**
 * Coverage-guided fuzzing of whole SMTP dialogues (ADR 0025), in process over the session's
 * {@link dev.mailwright.protocol.session.Connection} seam: pipelined commands, DATA and BDAT content,
 * AUTH exchanges and STARTTLS (the handshake "completes" between two writes).
 *
 * <p>Input layout: the first octet picks the listener (mode, bare line ends) and how reads are
 * split; the rest is what the client sends, one write per run of octets between {@code 0xFF}
 * separators. The seeds are the transcripts of {@code src/test/resources/transcripts}.
 *
 * <p>Whatever the client sends, the server only ever writes well-formed replies (three digits,
 * space or hyphen, CRLF; one code per multi-line reply), never a stack trace, never after it
 * closed, and never the {@code 4.3.0} "local problem" that an unexpected exception becomes: the
 * in-memory store cannot fail, so such a reply is a bug.
 */
class SmtpSessionFuzzTest {

    private static final Address POSTMASTER = Address.parse("postmaster@example.org");
    /** Deliveries pile up in the in-memory store: a fresh one now and then keeps memory bounded. */
    private static final int RUNS_PER_STORE = 2_000;

    private static MailStore store;
    private static int runs;

    @FuzzTest(maxDuration = "2m")
    void dialogueShouldOnlyGetWellFormedReplies(byte[] input) {
        if (input.length == 0) {
            return;
        }
        SessionHarness h = harness(input[0]);
        int from = 1;
        for (int i = 1; i <= input.length; i++) {
            if (i == input.length || input[i] == (byte) 0xFF) {
                h.send(Arrays.copyOfRange(input, from, i));
                from = i + 1;
            }
        }
        h.session.ended(h.channel.closed() ? ProtocolSession.EndReason.CLOSED_BY_SERVER : ProtocolSession.EndReason.DROPPED);
        assertWellFormed(h.take());
    }

    /**
     * One command line (or SASL response) in a chosen phase of the dialogue: it gets exactly one
     * well-formed reply, or the connection is closed after one.
     */
    @FuzzTest(maxDuration = "2m")
    void commandLineShouldGetOneReply(byte[] input) {
        if (input.length == 0) {
            return;
        }
        SessionHarness h = harness(input[0]);
        String prelude = switch ((input[0] >> 5) & 0x7) {
            case 0 -> "";
            case 1 -> "EHLO client.example\r\n";
            case 2 -> "EHLO client.example\r\nMAIL FROM:<a@elsewhere.test>\r\n";
            case 3 -> "EHLO client.example\r\nMAIL FROM:<a@elsewhere.test>\r\nRCPT TO:<alice@example.org>\r\n";
            case 4 -> "EHLO client.example\r\nAUTH PLAIN\r\n";
            case 5 -> "EHLO client.example\r\nAUTH LOGIN\r\n";
            case 6 -> "HELO client.example\r\nMAIL FROM:<> SMTPUTF8\r\n";
            default -> "EHLO client.example\r\nAUTH SCRAM-SHA-256\r\n";
        };
        h.send(prelude);
        String before = h.take();
        if (h.channel.closed()) {
            return; // the listener turned the prelude away (MX without AUTH, say)
        }
        byte[] line = Arrays.copyOf(Arrays.copyOfRange(input, 1, input.length), input.length + 1);
        line[line.length - 2] = '\r';
        line[line.length - 1] = '\n';
        h.send(line);
        String reply = h.take();
        assertWellFormed(before);
        assertWellFormed(reply);
        long lastLines = reply.lines().filter(l -> l.length() > 3 && l.charAt(3) == ' ').count();
        if (!h.channel.closed() && h.session.phase() != Phase.DATA && h.session.phase() != Phase.STARTING_TLS) {
            // a line with CR or LF inside was more than one line; a line too long is answered once
            assertThat(lastLines).as("replies to %s", new String(line, StandardCharsets.UTF_8)).isBetween(0L, (long) countLines(line));
        }
    }

    private static int countLines(byte[] b) {
        int n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return n;
    }

    private static SessionHarness harness(byte options) {
        if (store == null || ++runs % RUNS_PER_STORE == 0) {
            store = SessionHarness.fixtureStore();
        }
        SmtpSettings.Mode mode = SmtpSettings.Mode.values()[(options & 0x03) % 3];
        SmtpSettings settings = SessionHarness.settings()
                .mode(mode)
                .bareLineEnds((options & 0x04) == 0 ? SmtpSettings.BareLineEnds.REJECT : SmtpSettings.BareLineEnds.NORMALIZE)
                .authWithoutTls((options & 0x08) != 0)
                .maxMessageSize(64 * 1024)
                .maxRecipients(5)
                .postmaster(POSTMASTER)
                .build();
        SessionHarness h = SessionHarness.withSinks(settings, store,
                StoreMessageSink.factory(store, Clock.systemUTC(), settings.postmaster()));
        return h.feed(SessionHarness.Feed.values()[((options >> 4) & 0x03) % 3]);
    }

    /** Every line a reply line; a multi-line reply keeps its code; no trace of an exception. */
    static void assertWellFormed(String output) {
        if (output.isEmpty()) {
            return;
        }
        assertThat(output).endsWith("\r\n");
        String continuing = null;
        assertNoBareLineEnds(output);
        for (String line : output.lines().toList()) { // String.split would be a regex, which Jazzer hooks
            assertThat(isReplyLine(line)).as("a reply line: %s", line).isTrue();
            String code = line.substring(0, 3);
            if (continuing != null) {
                assertThat(code).as("code within one multi-line reply").isEqualTo(continuing);
            }
            continuing = line.charAt(3) == '-' ? code : null;
            assertThat(line).as("an unexpected exception became a reply").doesNotContain(" 4.3.0 ");
            assertThat(line).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.");
        }
        assertThat(continuing).as("a multi-line reply without its last line").isNull();
    }

    /**
     * Three digits, the first 2 to 5, then space or hyphen. Checked by hand, not with a
     * regex: Jazzer hooks every {@code Pattern} match to steer inputs towards it, and steering the
     * server's own output was a third of each run.
     */
    private static boolean isReplyLine(String line) {
        return line.length() >= 4 && line.charAt(0) >= '2' && line.charAt(0) <= '5' && isDigit(line.charAt(1))
                && isDigit(line.charAt(2)) && (line.charAt(3) == ' ' || line.charAt(3) == '-');
    }

    /** Every CR in {@code output} starts a CRLF and every LF ends one. */
    private static void assertNoBareLineEnds(String output) {
        String rest = output.replace("\r\n", ""); // not a regex
        assertThat(rest.indexOf('\r') < 0 && rest.indexOf('\n') < 0).as("a bare CR or LF in %s", output).isTrue();
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
