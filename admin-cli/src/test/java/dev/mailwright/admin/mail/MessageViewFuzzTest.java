package dev.mailwright.admin.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing of what {@code mailbox show} parses out of a stored message (ADR 0025):
 * the header section and its RFC 2047 encoded words ({@link Headers}) and the MIME structure
 * ({@link MimeView}). Header fields never throw: what does not decode is shown as it is; a MIME
 * structure too broken to walk is the documented {@code IOException} ("unreadable MIME structure").
 */
class MessageViewFuzzTest {

    @FuzzTest(maxDuration = "2m")
    void encodedWordsShouldDecodeOrStayAsTheyAre(byte[] input) {
        String value = new String(input, StandardCharsets.UTF_8);
        String decoded = Headers.decode(value);
        assertThat(decoded).isNotNull();
        if (!value.contains("=?")) {
            assertThat(decoded).isEqualTo(value);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void headerSectionShouldBeRead(byte[] input) throws IOException {
        Headers h;
        try {
            h = Headers.read(new ByteArrayInputStream(input));
        } catch (IOException e) {
            assertThat(e.getMessage()).startsWith("unreadable header: ");
            return;
        }
        assertThat(h.headerSize()).isBetween(0, input.length);
        for (String[] field : h.all()) {
            assertThat(field).hasSize(2);
            assertThat(field[1]).isNotNull();
        }
        h.subject();
        h.from();
        h.fromAddress();
        h.returnPath();
        h.date();
    }

    @FuzzTest(maxDuration = "2m")
    void mimeStructureShouldBeWalkedOrRefused(byte[] input) {
        MimeView view;
        try {
            view = MimeView.parse(new ByteArrayInputStream(input));
        } catch (IOException e) {
            assertThat(e.getMessage()).startsWith("unreadable MIME structure: ");
            return;
        }
        for (MimeView.TextPart t : view.texts()) {
            assertThat(t.type()).startsWith("text/");
            assertThat(t.text()).isNotNull();
            assertThat(t.charset()).isNotBlank();
        }
        for (MimeView.Attachment a : view.attachments()) {
            assertThat(a.size()).isBetween(0L, (long) input.length);
            assertThat(a.type()).contains("/");
        }
    }
}
