package dev.mailwright.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The command-line deadline (ADR 0028): a line must end within it of its first octet, however often octets come. */
class LineDecoderDeadlineTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final LineDecoder decoder = new LineDecoder(64, false, Duration.ofSeconds(10), now::get);

    private Line feed(String s) {
        return decoder.next(ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)));
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void lineTrickledOneOctetAtATimeShouldTimeOutThoughNoGapReachesTheDeadline() {
        String command = "NOOP NOOP NOOP\r\n";
        Line result = null;
        for (int i = 0; i < command.length() && result == null; i++) {
            result = feed(command.substring(i, i + 1));
            advance(Duration.ofSeconds(1)); // every gap far below the deadline, as a slowloris sends
        }
        assertThat(result).isNotNull();
        assertThat(result.kind()).isEqualTo(Line.Kind.TIMEOUT);
        assertThat(decoder.hasPartialLine()).isFalse();
    }

    @Test
    void lineEndingLateShouldTimeOutAndTakeEverythingThatCameWithIt() {
        assertThat(feed("NO")).isNull();
        advance(Duration.ofSeconds(11));
        ByteBuffer rest = ByteBuffer.wrap("OP\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(decoder.next(rest).kind()).isEqualTo(Line.Kind.TIMEOUT);
        assertThat(rest.hasRemaining()).isFalse();
    }

    @Test
    void lineSplitAcrossInputsShouldPassWithinTheDeadline() {
        assertThat(feed("NO")).isNull();
        advance(Duration.ofSeconds(9));
        Line line = feed("OP\r\n");
        assertThat(line.kind()).isEqualTo(Line.Kind.LINE);
        assertThat(line.ascii()).hasValue("NOOP");
    }

    @Test
    void deadlineShouldStartAgainWithEachLineOfAPipelinedStream() {
        // a fast client whose reads always end in mid-line: every line is on time, though some
        // line is always partial
        for (int i = 0; i < 20; i++) {
            Line line = feed(i == 0 ? "NO" : "OP\r\nNO");
            if (i > 0) {
                assertThat(line.kind()).isEqualTo(Line.Kind.LINE);
            }
            advance(Duration.ofSeconds(6));
        }
    }

    @Test
    void overlongLineTrickledShouldTimeOutToo() {
        assertThat(feed("X".repeat(100))).isNull(); // past the length limit: discarded, still partial
        advance(Duration.ofSeconds(11));
        assertThat(feed("X").kind()).isEqualTo(Line.Kind.TIMEOUT);
    }

    @Test
    void zeroDeadlineShouldLetALineTakeAnyTime() {
        LineDecoder unlimited = new LineDecoder(64, false, Duration.ZERO, now::get);
        assertThat(unlimited.next(ByteBuffer.wrap(new byte[] {'N'}))).isNull();
        advance(Duration.ofDays(1));
        assertThat(unlimited.next(ByteBuffer.wrap("OOP\r\n".getBytes(StandardCharsets.US_ASCII))).isLine()).isTrue();
    }

    @Test
    void peekShouldNotStartTheDeadline() {
        ByteBuffer partial = ByteBuffer.wrap("NO".getBytes(StandardCharsets.US_ASCII));
        assertThat(decoder.peek(partial)).isNull();
        advance(Duration.ofSeconds(30));
        assertThat(feed("NOOP\r\n").isLine()).isTrue();
    }
}
