package dev.mailwright.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineDecoderTest {

    private final LineDecoder decoder = new LineDecoder(16);

    private void feed(String s) {
        decoder.feed(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private String nextText() {
        Line l = decoder.next();
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
        assertThat(decoder.next()).isNull();
        assertThat(decoder.buffered()).isZero();
    }

    @Test
    void lineSplitAcrossReadsShouldBeJoined() {
        feed("ST");
        assertThat(decoder.next()).isNull();
        feed("AT\r");
        assertThat(decoder.next()).isNull();
        feed("\nNO");
        assertThat(nextText()).isEqualTo("STAT");
        assertThat(decoder.next()).isNull();
        assertThat(decoder.buffered()).isEqualTo(2);
    }

    @Test
    void lineOfExactlyTheLimitShouldBeAccepted() {
        feed("12345678901234\r\n");
        assertThat(nextText()).isEqualTo("12345678901234");
    }

    @Test
    void overlongLineShouldBeReportedOnceAndDecodingShouldResumeAfterIt() {
        feed("123456789012345\r\nNOOP\r\n");
        assertThat(decoder.next().kind()).isEqualTo(Line.Kind.TOO_LONG);
        assertThat(nextText()).isEqualTo("NOOP");
    }

    @Test
    void overlongLineShouldNotBeBufferedWhileItGoesOn() {
        for (int i = 0; i < 10_000; i++) {
            feed("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
            assertThat(decoder.next()).isNull();
            assertThat(decoder.buffered()).isLessThanOrEqualTo(16);
        }
        feed("\r\nQUIT\r\n");
        assertThat(decoder.next().kind()).isEqualTo(Line.Kind.TOO_LONG);
        assertThat(nextText()).isEqualTo("QUIT");
    }

    @Test
    void bareLineFeedShouldBeReportedAsSuch() {
        feed("STAT\nNOOP\r\n");
        assertThat(decoder.next().kind()).isEqualTo(Line.Kind.BARE_LF);
        assertThat(nextText()).isEqualTo("NOOP");
    }

    @Test
    void bareCarriageReturnInsideALineShouldStayContent() {
        feed("a\rb\r\n");
        assertThat(nextText()).isEqualTo("a\rb");
    }

    @Test
    void nulOctetShouldMakeTheLineAnError() {
        feed("US\0ER\r\nNOOP\r\n");
        assertThat(decoder.next().kind()).isEqualTo(Line.Kind.NUL);
        assertThat(nextText()).isEqualTo("NOOP");
    }

    @Test
    void eightBitOctetsShouldBeKeptAndFlagged() {
        decoder.feed("USER j\u00f6rg\r\n".getBytes(StandardCharsets.UTF_8));
        Line l = decoder.next();
        assertThat(l.isAscii()).isFalse();
        assertThat(l.ascii()).isEmpty();
        assertThat(l.utf8()).contains("USER j\u00f6rg");
        decoder.feed(new byte[] {'U', (byte) 0xff, '\r', '\n'});
        assertThat(decoder.next().utf8()).isEmpty();
    }

    @Test
    void rawTakeShouldReturnPartialLineAndFollowingChunksAndUnreadShouldPutBack() {
        feed("DATA\r\nhel");
        assertThat(nextText()).isEqualTo("DATA");
        assertThat(decoder.next()).isNull();
        feed("lo\r\n.\r\nQUIT\r\n");
        ByteBuffer raw = decoder.takeRaw();
        assertThat(StandardCharsets.US_ASCII.decode(raw.duplicate()).toString()).isEqualTo("hello\r\n.\r\nQUIT\r\n");
        raw.position(raw.position() + 10);
        decoder.unread(raw);
        assertThat(nextText()).isEqualTo("QUIT");
        assertThat(decoder.takeRaw()).isNull();
    }

    @Test
    void clearShouldForgetEverythingBuffered() {
        feed("STLS\r\nUSER evil\r\nPA");
        assertThat(nextText()).isEqualTo("STLS");
        decoder.clear();
        assertThat(decoder.buffered()).isZero();
        assertThat(decoder.next()).isNull();
        feed("CAPA\r\n");
        assertThat(nextText()).isEqualTo("CAPA");
    }
}
