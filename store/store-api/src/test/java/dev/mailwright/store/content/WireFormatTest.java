package dev.mailwright.store.content;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WireFormatTest {

    /** A source that hands out at most a few octets per read, as a network or chunked store stream may. */
    static final class Trickle extends InputStream {
        private final byte[] data;
        private final java.util.Random random;
        private int pos;

        Trickle(byte[] data, long seed) {
            this.data = data;
            this.random = new java.util.Random(seed);
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + random.nextInt(20)), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    static byte[] readInSmallPieces(InputStream in, long seed) throws IOException {
        java.util.Random sizes = new java.util.Random(seed);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] piece = new byte[3];
        for (int n; (n = in.read(piece, 0, 1 + sizes.nextInt(3))) >= 0; ) {
            out.write(piece, 0, n);
        }
        return out.toByteArray();
    }

    /** The rule written out plainly: bare LF to CRLF, a missing final line end added. */
    private static String reference(String s) {
        StringBuilder out = new StringBuilder();
        char last = 0;
        for (char c : s.toCharArray()) {
            if (c == '\n' && last != '\r') {
                out.append('\r');
            }
            out.append(c);
            last = c;
        }
        if (!s.isEmpty() && last != '\n') {
            out.append("\r\n");
        }
        return out.toString();
    }

    @Test
    void blockReadsGiveTheSameOctetsAsTheRuleOverRandomContent() throws IOException {
        java.util.Random random = new java.util.Random(42);
        char[] alphabet = {'a', '.', '\r', '\n', 'z'};
        for (int round = 0; round < 500; round++) {
            StringBuilder b = new StringBuilder();
            int length = random.nextInt(round < 400 ? 40 : 30_000); // the long ones cross the read-ahead buffer
            for (int i = 0; i < length; i++) {
                b.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String content = b.toString();
            try (InputStream in = WireFormat.normalize(new Trickle(content.getBytes(ISO_8859_1), round))) {
                assertThat(new String(in.readAllBytes(), ISO_8859_1)).as("round %d", round).isEqualTo(reference(content));
            }
            assertThat(counted(content)).isEqualTo(reference(content).length());
            // and read by a caller that asks for one to three octets at a time
            try (InputStream in = WireFormat.normalize(new Trickle(content.getBytes(ISO_8859_1), round))) {
                assertThat(new String(readInSmallPieces(in, round), ISO_8859_1)).isEqualTo(reference(content));
            }
        }
    }

    private static String normalize(String s) throws IOException {
        try (InputStream in = WireFormat.normalize(new ByteArrayInputStream(s.getBytes(ISO_8859_1)))) {
            return new String(in.readAllBytes(), ISO_8859_1);
        }
    }

    private static long counted(String s) {
        WireFormat.Counter c = new WireFormat.Counter();
        byte[] b = s.getBytes(ISO_8859_1);
        // feed in two pieces so that a CRLF split across writes is covered
        c.update(b, 0, b.length / 2);
        c.update(b, b.length / 2, b.length - b.length / 2);
        return c.size();
    }

    @Test
    void bareLfBecomesCrlfAndAMissingFinalLineEndIsAdded() throws IOException {
        assertThat(normalize("a\nb\r\nc")).isEqualTo("a\r\nb\r\nc\r\n");
        assertThat(normalize("")).isEmpty();
        assertThat(normalize("x\r")).isEqualTo("x\r\r\n");
        assertThat(normalize("bare\rcr\r\n")).isEqualTo("bare\rcr\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a", "a\n", "a\r\n", "\n\n\n", "\r\n\r\n", "x\r", "a\nb\r\nc", "\r\r\n\n", "Subject: s\n\nbody"})
    void counterAgreesWithTheNormalisedStream(String content) throws IOException {
        assertThat(counted(content)).isEqualTo(normalize(content).length());
    }

    @Test
    void topStopsAfterTheRequestedBodyLines() throws IOException {
        String msg = "A: 1\nB: 2\n\nl1\nl2\n";
        try (InputStream in = new TopReader(new ByteArrayInputStream(msg.getBytes(ISO_8859_1)), 1)) {
            assertThat(new String(in.readAllBytes(), ISO_8859_1)).isEqualTo("A: 1\nB: 2\n\nl1\n");
        }
    }

    @Test
    void spoolSpillsToAFileAndReadsBackIdentically(@TempDir Path dir) throws IOException {
        ContentSpool spool = new ContentSpool(1024, dir);
        byte[] chunk = "0123456789abcdef\r\n".getBytes(ISO_8859_1);
        for (int i = 0; i < 1000; i++) {
            spool.write(chunk, 0, chunk.length);
        }
        assertThat(spool.inMemory()).isFalse();
        assertThat(spool.size()).isEqualTo(18_000);
        assertThat(spool.wireSize()).isEqualTo(18_000);
        try (InputStream in = spool.open()) {
            assertThat(in.readAllBytes()).hasSize(18_000);
        }
        spool.discard();
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
