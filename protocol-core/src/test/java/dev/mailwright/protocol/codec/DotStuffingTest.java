package dev.mailwright.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DotStuffingTest {

    /** The rule written out plainly: a line starting with a dot gets another, then the terminator line. */
    private static String reference(String s) {
        StringBuilder out = new StringBuilder();
        char last = '\n';
        for (char c : s.toCharArray()) {
            if (last == '\n' && c == '.') {
                out.append('.');
            }
            out.append(c);
            last = c;
        }
        if (last != '\n') {
            out.append("\r\n");
        }
        return out.append(".\r\n").toString();
    }

    @Test
    void blockReadsGiveTheSameOctetsAsTheRuleOverRandomContent() throws IOException {
        java.util.Random random = new java.util.Random(7);
        char[] alphabet = {'a', '.', '\r', '\n'};
        for (int round = 0; round < 500; round++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(round < 400 ? 40 : 30_000); // the long ones cross the read-ahead buffer
            for (int i = 0; i < length; i++) {
                b.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String content = b.toString();
            byte[] data = content.getBytes(StandardCharsets.US_ASCII);
            java.util.Random slices = new java.util.Random(round);
            // a source that hands out a few octets per read
            java.io.InputStream source = new ByteArrayInputStream(data) {
                @Override
                public synchronized int read(byte[] into, int off, int len) {
                    return super.read(into, off, Math.min(len, 1 + slices.nextInt(20)));
                }
            };
            String stuffed = new String(DotStuffing.stuff(source).readAllBytes(), StandardCharsets.US_ASCII);
            org.assertj.core.api.Assertions.assertThat(stuffed).as("round %d", round).isEqualTo(reference(content));
            // and read by a caller that asks for one to three octets at a time
            java.io.InputStream again = DotStuffing.stuff(new ByteArrayInputStream(data));
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] piece = new byte[3];
            for (int n; (n = again.read(piece, 0, 1 + slices.nextInt(3))) >= 0; ) {
                out.write(piece, 0, n);
            }
            org.assertj.core.api.Assertions.assertThat(out.toString(StandardCharsets.US_ASCII)).as("round %d in pieces", round)
                    .isEqualTo(reference(content));
        }
    }

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
