package dev.mailwright.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStuffingTest {

    private static String stuff(String s) throws IOException {
        return new String(DotStuffing.stuff(new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII)))
                .readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void linesStartingWithDotShouldGetAnotherDot() throws IOException {
        assertThat(stuff(".\r\n..x\r\n.x\r\nx.\r\n")).isEqualTo("..\r\n...x\r\n..x\r\nx.\r\n.\r\n");
    }

    @Test
    void emptyContentShouldBeJustTheTerminator() throws IOException {
        assertThat(stuff("")).isEqualTo(".\r\n");
    }

    @Test
    void contentWithoutFinalLineEndShouldStillEndWithOneTerminatorLine() throws IOException {
        assertThat(stuff("a\r\nb")).isEqualTo("a\r\nb\r\n.\r\n");
    }

    @Test
    void dotAfterBareCarriageReturnShouldNotBeStuffed() throws IOException {
        assertThat(stuff("a\r.b\r\n")).isEqualTo("a\r.b\r\n.\r\n");
    }
}
