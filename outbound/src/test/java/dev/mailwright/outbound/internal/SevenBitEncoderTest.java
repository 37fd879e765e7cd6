package dev.mailwright.outbound.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.BodyPart;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.Properties;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

class SevenBitEncoderTest {

    private static byte[] convert(String message) throws IOException {
        try (InputStream in = new SevenBitEncoder(new WireEncoder(new ByteArrayInputStream(message.getBytes(UTF_8)),
                false))) {
            return in.readAllBytes();
        }
    }

    private static void assertSevenBitLinesOfAtMost998(byte[] out) {
        int col = 0;
        for (int i = 0; i < out.length; i++) {
            assertThat(out[i]).as("octet %d", i).isBetween((byte) 1, (byte) 127);
            if (out[i] == '\n') {
                assertThat(out[i - 1]).isEqualTo((byte) '\r');
                col = 0;
            } else if (++col > 998) {
                throw new AssertionError("line longer than 998 octets at " + i);
            }
        }
    }

    private static MimeMessage parse(byte[] bytes) throws Exception {
        return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(bytes));
    }

    private static String text(BodyPart part) throws Exception {
        try (InputStream in = part.getInputStream()) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void eightBitTextBodyBecomesQuotedPrintableThatDecodesToTheSameText() throws Exception {
        String body = "Grüße aus Köln = ein Test \t\r\n" + "x".repeat(200) + "ä\r\n.line with a dot\r\nend ";
        byte[] out = convert("From: a@example.org\r\nSubject: s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n" + body);

        assertSevenBitLinesOfAtMost998(out);
        String wire = new String(out, UTF_8);
        assertThat(wire).contains("MIME-Version: 1.0\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
                .doesNotContainIgnoringCase("Content-Transfer-Encoding: 8bit");
        for (String l : wire.substring(wire.indexOf("\r\n\r\n") + 4).split("\r\n")) {
            assertThat(l.length()).as(l).isLessThanOrEqualTo(76);
        }
        MimeMessage m = parse(out);
        assertThat(m.getSubject()).isEqualTo("s");
        try (InputStream in = m.getInputStream()) {
            assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(body + "\r\n");
        }
    }

    @Test
    void multipartKeepsItsStructureAndOnlyIdentityEncodedLeavesAreConverted() throws Exception {
        byte[] attachment = new byte[300];
        for (int i = 0; i < attachment.length; i++) {
            attachment[i] = (byte) i;
        }
        String b64 = Base64.getMimeEncoder().encodeToString(attachment);
        String message = "From: a@example.org\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed;\r\n\tboundary=\"outer\"\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "preamble ü\r\n"
                + "--outer\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Ärger im Büro\r\n"
                + "--outer\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                + b64 + "\r\n"
                + "--outer\r\nContent-Type: message/rfc822\r\n\r\n"
                + "Subject: inner\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n"
                + "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nnaïve café\r\n"
                + "--inner--\r\n"
                + "--outer--\r\nepilogue é\r\n";

        byte[] out = convert(message);

        assertSevenBitLinesOfAtMost998(out);
        String wire = new String(out, UTF_8);
        assertThat(wire).contains("Content-Transfer-Encoding: 7bit", b64, "--outer--", "--inner--")
                .containsOnlyOnce("MIME-Version: 1.0");
        MimeMultipart outer = (MimeMultipart) parse(out).getContent();
        assertThat(outer.getCount()).isEqualTo(3);
        assertThat(text(outer.getBodyPart(0))).isEqualTo("Ärger im Büro");
        try (InputStream in = outer.getBodyPart(1).getInputStream()) {
            assertThat(Arrays.equals(in.readAllBytes(), attachment)).isTrue();
        }
        MimeMessage inner = (MimeMessage) outer.getBodyPart(2).getContent();
        assertThat(inner.getSubject()).isEqualTo("inner");
        assertThat(text(((MimeMultipart) inner.getContent()).getBodyPart(0))).isEqualTo("naïve café");
    }

    @Test
    void lineTooLongToConvertFails() {
        String message = "Subject: s\r\n\r\n" + "ü".repeat(SevenBitEncoder.MAX_LINE) + "\r\n";
        assertThatThrownBy(() -> convert(message)).isInstanceOf(SevenBitEncoder.TooLongException.class);
    }

    /** Generates a message of {@code size} octets of 8-bit text lines without holding it. */
    private static InputStream generated(long size) {
        byte[] header = "Subject: big\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n".getBytes(UTF_8);
        byte[] line = "Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich\r\n".getBytes(UTF_8);
        return new InputStream() {
            private long pos;

            @Override
            public int read() {
                if (pos >= size) {
                    return -1;
                }
                long p = pos++;
                return (p < header.length ? header[(int) p] : line[(int) ((p - header.length) % line.length)]) & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= size) {
                    return -1;
                }
                int n = (int) Math.min(len, size - pos);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) read();
                }
                return n;
            }
        };
    }

    @Test
    @Tag("large-message")
    void hundredMegabytesConvertInBoundedMemory() throws Exception {
        long size = 100L * 1024 * 1024;
        long out = 0;
        long eight = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = new SevenBitEncoder(new WireEncoder(generated(size), false))) {
            int n;
            while ((n = in.read(buf)) > 0) {
                out += n;
                for (int i = 0; i < n; i++) {
                    if (buf[i] < 0) {
                        eight++;
                    }
                }
            }
        }
        assertThat(eight).isZero();
        assertThat(out).isGreaterThan(size);
    }
}
