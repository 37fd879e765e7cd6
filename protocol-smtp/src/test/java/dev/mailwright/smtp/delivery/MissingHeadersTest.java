package dev.mailwright.smtp.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MissingHeadersTest {

    private static String run(String message, int step) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MissingHeaders m = new MissingHeaders(out, () -> "Sun, 22 Nov 2026 08:00:00 +0000", () -> "<id@mx.example.org>");
        byte[] b = message.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < b.length; i += step) {
            m.write(b, i, Math.min(step, b.length - i));
        }
        m.close();
        return out.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void missingFieldsShouldGoBeforeTheBlankLine() throws IOException {
        for (int step : new int[] {1, 5, 1000}) {
            assertThat(run("Subject: x\r\n\r\nbody\r\n", step)).isEqualTo(
                    "Subject: x\r\nDate: Sun, 22 Nov 2026 08:00:00 +0000\r\nMessage-ID: <id@mx.example.org>\r\n\r\nbody\r\n");
        }
    }

    @Test
    void presentFieldsShouldBeKept() throws IOException {
        String m = "date: Sat, 1 Jan 2000 00:00:00 +0000\r\nMESSAGE-ID: <a@b>\r\n\r\nbody\r\n";
        assertThat(run(m, 3)).isEqualTo(m);
    }

    @Test
    void headerOnlyMessageShouldGetFieldsAtTheEnd() throws IOException {
        assertThat(run("Subject: x", 100)).isEqualTo(
                "Subject: x\r\nDate: Sun, 22 Nov 2026 08:00:00 +0000\r\nMessage-ID: <id@mx.example.org>\r\n");
    }

    @Test
    void hugeHeaderShouldPassUnchanged() throws IOException {
        String m = "X-Long: " + "a".repeat(MissingHeaders.MAX_HEADER) + "\r\n\r\nbody\r\n";
        assertThat(run(m, 4096)).isEqualTo(m);
    }
}
