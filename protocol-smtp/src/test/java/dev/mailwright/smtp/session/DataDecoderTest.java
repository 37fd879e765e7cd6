package dev.mailwright.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DataDecoderTest {

    private record Result(String content, int consumed, boolean ended, DataDecoder.Problem problem) {
    }

    private static Result decode(String input, DataDecoder.Mode mode, int step) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataDecoder d = DataDecoder.data(mode, out);
        byte[] b = input.getBytes(StandardCharsets.ISO_8859_1);
        int consumed = 0;
        while (consumed < b.length && !d.ended()) {
            consumed += d.feed(b, consumed, Math.min(step, b.length - consumed));
        }
        return new Result(out.toString(StandardCharsets.ISO_8859_1), consumed, d.ended(), d.problem());
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 7, 1000})
    void dataShouldEndAtCrlfDotCrlfAndUnstuffWhateverTheReadSizes(int step) throws IOException {
        Result r = decode("a\r\n..b\r\n.c\r\n\r\n.\r\nNEXT", DataDecoder.Mode.REJECT, step);
        assertThat(r.content()).isEqualTo("a\r\n.b\r\nc\r\n\r\n");
        assertThat(r.ended()).isTrue();
        assertThat(r.consumed()).isEqualTo("a\r\n..b\r\n.c\r\n\r\n.\r\n".length());
        assertThat(r.problem()).isEqualTo(DataDecoder.Problem.NONE);
    }

    @Test
    void randomMessagesComeOutUnstuffedWhateverTheReadSizes() throws IOException {
        java.util.Random random = new java.util.Random(7);
        char[] alphabet = {'a', '.', 'x', ' '};
        for (int round = 0; round < 300; round++) {
            StringBuilder content = new StringBuilder();
            StringBuilder wire = new StringBuilder();
            int lines = random.nextInt(20);
            for (int l = 0; l < lines; l++) {
                // some lines longer than the decoder's 16 KiB buffer
                int length = random.nextInt(round % 10 == 0 ? 40_000 : 30);
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < length; i++) {
                    line.append(alphabet[random.nextInt(alphabet.length)]);
                }
                content.append(line).append("\r\n");
                wire.append(line.length() > 0 && line.charAt(0) == '.' ? "." : "").append(line).append("\r\n");
            }
            String input = wire + ".\r\nQUIT\r\n";
            Result r = decode(input, DataDecoder.Mode.REJECT, 1 + random.nextInt(round % 2 == 0 ? 5 : 5000));
            assertThat(r.content()).as("round %d", round).isEqualTo(content.toString());
            assertThat(r.ended()).isTrue();
            assertThat(r.consumed()).isEqualTo(wire.length() + 3);
            assertThat(r.problem()).isEqualTo(DataDecoder.Problem.NONE);
        }
    }

    @Test
    void emptyMessageShouldEndAtOnce() throws IOException {
        Result r = decode(".\r\n", DataDecoder.Mode.REJECT, 100);
        assertThat(r.ended()).isTrue();
        assertThat(r.content()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x\n.\nMAIL", "x\n.\r\nMAIL", "x\r.\nMAIL", "x\r.\rMAIL", "x\r\n.\rMAIL", "x\r\n.\nMAIL"})
    void noSmugglingSequenceShouldEverEndTheData(String input) throws IOException {
        for (DataDecoder.Mode mode : DataDecoder.Mode.values()) {
            Result r = decode(input, mode, 1);
            assertThat(r.ended()).as("%s in %s", input, mode).isFalse();
            assertThat(r.consumed()).isEqualTo(input.length());
        }
    }

    @Test
    void bareLfShouldBeAProblemWhenRejecting() throws IOException {
        assertThat(decode("a\nb\r\n.\r\n", DataDecoder.Mode.REJECT, 10).problem()).isEqualTo(DataDecoder.Problem.BARE_LF);
        assertThat(decode("a\rb\r\n.\r\n", DataDecoder.Mode.REJECT, 10).problem()).isEqualTo(DataDecoder.Problem.BARE_CR);
    }

    @Test
    void bareLfShouldBecomeCrlfWhenNormalizingButBareCrStaysAProblem() throws IOException {
        Result r = decode("a\nb\n.\n..c\r\n.\r\n", DataDecoder.Mode.NORMALIZE, 3);
        assertThat(r.problem()).isEqualTo(DataDecoder.Problem.NONE);
        assertThat(r.content()).isEqualTo("a\r\nb\r\n.\r\n.c\r\n");
        assertThat(decode("a\rb\r\n.\r\n", DataDecoder.Mode.NORMALIZE, 10).problem()).isEqualTo(DataDecoder.Problem.BARE_CR);
    }

    @Test
    void chunksShouldPassDotsThroughAndFlagATrailingCr() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataDecoder d = DataDecoder.chunks(DataDecoder.Mode.REJECT, out);
        byte[] first = ".\r\n..\r".getBytes(StandardCharsets.US_ASCII);
        byte[] second = "\n.\r\n".getBytes(StandardCharsets.US_ASCII);
        d.feed(first, 0, first.length);
        d.feed(second, 0, second.length);
        d.finish();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo(".\r\n..\r\n.\r\n");
        assertThat(d.problem()).isEqualTo(DataDecoder.Problem.NONE);

        DataDecoder trailing = DataDecoder.chunks(DataDecoder.Mode.REJECT, new ByteArrayOutputStream());
        trailing.feed(new byte[] {'a', '\r'}, 0, 2);
        trailing.finish();
        assertThat(trailing.problem()).isEqualTo(DataDecoder.Problem.BARE_CR);
    }
}
