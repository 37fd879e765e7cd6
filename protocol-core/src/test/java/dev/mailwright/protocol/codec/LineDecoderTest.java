package dev.mailwright.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineDecoderTest {

    private final LineDecoder decoder = new LineDecoder(16);
    private ByteBuffer input = ByteBuffer.allocate(0);

    /** Appends to the unconsumed input, as the transport's queue does. */
    private void feed(String s) {
        feed(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private void feed(byte[] more) {
        ByteBuffer b = ByteBuffer.allocate(input.remaining() + more.length);
        b.put(input).put(more).flip();
        input = b;
    }

    private String nextText() {
        Line l = decoder.next(input);
        assertThat(l).isNotNull();
        assertThat(l.kind()).isEqualTo(Line.Kind.LINE);
        return new String(l.bytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void crlfLinesShouldComeOutInOrderWithoutTheirLineEnd() {
        feed("USER a\r\nPASS b\r\n\r\n");
        assertThat(nextText()).isEqualTo("USER a");
        assertThat(nextText()).isEqualTo("PASS b");
        assertThat(nextText()).isEmpty();
        assertThat(decoder.next(input)).isNull();
        assertThat(decoder.hasPartialLine()).isFalse();
    }

    @Test
    void eachLineShouldConsumeTheInputOnlyUpToItsLineFeed() {
        feed("STLS\r\nUSER evil\r\n");
        assertThat(nextText()).isEqualTo("STLS");
        assertThat(StandardCharsets.US_ASCII.decode(input.duplicate()).toString()).isEqualTo("USER evil\r\n");
    }

    @Test
    void lineSplitAcrossReadsShouldBeJoined() {
        feed("ST");
        assertThat(decoder.next(input)).isNull();
        assertThat(input.hasRemaining()).isFalse();
        feed("AT\r");
        assertThat(decoder.next(input)).isNull();
        feed("\nNO");
        assertThat(nextText()).isEqualTo("STAT");
        assertThat(decoder.next(input)).isNull();
        assertThat(decoder.hasPartialLine()).isTrue();
    }

    @Test
    void lineOfExactlyTheLimitShouldBeAccepted() {
        feed("12345678901234\r\n");
        assertThat(nextText()).isEqualTo("12345678901234");
    }

    @Test
    void overlongLineShouldBeReportedOnceAndDecodingShouldResumeAfterIt() {
        feed("123456789012345\r\nNOOP\r\n");
        assertThat(decoder.next(input).kind()).isEqualTo(Line.Kind.TOO_LONG);
        assertThat(nextText()).isEqualTo("NOOP");
    }

    @Test
    void overlongLineShouldBeConsumedWithoutBeingKeptWhileItGoesOn() {
        for (int i = 0; i < 10_000; i++) {
            feed("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            assertThat(decoder.next(input)).isNull();
            assertThat(input.hasRemaining()).isFalse();
        }
        feed("\r\nQUIT\r\n");
        assertThat(decoder.next(input).kind()).isEqualTo(Line.Kind.TOO_LONG);
        assertThat(nextText()).isEqualTo("QUIT");
    }

    @Test
    void bareLineFeedShouldBeReportedAsSuch() {
        feed("STAT\nNOOP\r\n");
        assertThat(decoder.next(input).kind()).isEqualTo(Line.Kind.BARE_LF);
        assertThat(nextText()).isEqualTo("NOOP");
    }

    @Test
    void bareLineFeedShouldEndALineWhenAskedTo() {
        LineDecoder lenient = new LineDecoder(16, true);
        feed("STAT\nNOOP\r\n");
        assertThat(lenient.next(input).bytes()).isEqualTo("STAT".getBytes(StandardCharsets.US_ASCII));
        assertThat(lenient.next(input).bytes()).isEqualTo("NOOP".getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void bareCarriageReturnInsideALineShouldStayContent() {
        feed("a\rb\r\n");
        assertThat(nextText()).isEqualTo("a\rb");
    }

    @Test
    void nulOctetShouldMakeTheLineAnError() {
        feed("US\0ER\r\nNOOP\r\n");
        assertThat(decoder.next(input).kind()).isEqualTo(Line.Kind.NUL);
        assertThat(nextText()).isEqualTo("NOOP");
    }

    @Test
    void eightBitOctetsShouldBeKeptAndFlagged() {
        feed("USER j\u00f6rg\r\n".getBytes(StandardCharsets.UTF_8));
        Line l = decoder.next(input);
        assertThat(l.isAscii()).isFalse();
        assertThat(l.ascii()).isEmpty();
        assertThat(l.utf8()).contains("USER j\u00f6rg");
        feed(new byte[] {'U', (byte) 0xff, '\r', '\n'});
        assertThat(decoder.next(input).utf8()).isEmpty();
    }

    @Test
    void directBuffersShouldSplitLikeHeapBuffers() {
        ByteBuffer direct = ByteBuffer.allocateDirect(12);
        direct.put("NOOP\r\nQU".getBytes(StandardCharsets.US_ASCII)).flip();
        assertThat(decoder.next(direct).bytes()).isEqualTo("NOOP".getBytes(StandardCharsets.US_ASCII));
        assertThat(decoder.next(direct)).isNull();
        feed("IT\r\n");
        assertThat(nextText()).isEqualTo("QUIT");
    }

    @Test
    void peekShouldReturnTheNextLineWithoutConsumingAnything() {
        feed("NOOP\r\nQU");
        assertThat(decoder.peek(input).bytes()).isEqualTo("NOOP".getBytes(StandardCharsets.US_ASCII));
        assertThat(input.remaining()).isEqualTo(8);
        assertThat(nextText()).isEqualTo("NOOP");
        assertThat(decoder.peek(input)).isNull();
        assertThat(input.remaining()).isEqualTo(2);
        assertThat(decoder.hasPartialLine()).isFalse();
        assertThat(decoder.next(input)).isNull();
        feed("IT\r\n");
        assertThat(decoder.peek(input)).as("a partial line is kept").isNull();
        assertThat(nextText()).isEqualTo("QUIT");
    }

    @Test
    void clearShouldForgetAPartialLine() {
        feed("USER evil\r\nPA");
        assertThat(nextText()).isEqualTo("USER evil");
        assertThat(decoder.next(input)).isNull();
        decoder.clear();
        assertThat(decoder.hasPartialLine()).isFalse();
        feed("CAPA\r\n");
        assertThat(nextText()).isEqualTo("CAPA");
    }
}
