package dev.mailwright.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HeaderEditTest {

    private static String edit(String message, List<String> add, List<String> remove, String tag) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        HeaderEdit.copy(new ByteArrayInputStream(message.getBytes(StandardCharsets.UTF_8)), out,
                new FilterVerdict.Accept(add, remove, Optional.ofNullable(tag), "test"));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void fieldsShouldBeAddedAfterOurTraceFieldsAndTheBodyKeptAsItIs() throws Exception {
        assertThat(edit("Return-Path: <a@b.example>\r\nReceived: ours\r\n\tfor <c@d.example>\r\nReceived: theirs\r\n"
                        + "Subject: hi\r\n\r\nSubject: not a header\r\n", List.of("X-Spam-Status: No", "X-Spam: Yes"),
                List.of(), null))
                .isEqualTo("Return-Path: <a@b.example>\r\nReceived: ours\r\n\tfor <c@d.example>\r\n"
                        + "X-Spam-Status: No\r\nX-Spam: Yes\r\nReceived: theirs\r\nSubject: hi\r\n\r\nSubject: not a header\r\n");
        assertThat(edit("Subject: hi\r\n\r\nbody\r\n", List.of("X-Spam: Yes"), List.of(), null))
                .isEqualTo("X-Spam: Yes\r\nSubject: hi\r\n\r\nbody\r\n");
        assertThat(edit("Received: ours\r\n", List.of("X-Spam: Yes"), List.of(), null))
                .isEqualTo("Received: ours\r\nX-Spam: Yes\r\n");
    }

    @Test
    void removedFieldsShouldGoWithTheirContinuationLinesWhateverTheirCase() throws Exception {
        assertThat(edit("x-spam-status: No,\r\n\tscore=-100\r\nFrom: a@b.example\r\nX-SPAM: No\r\nX-Spam-Flag: keep\r\n\r\nbody\r\n",
                List.of("X-Spam-Status: Yes"), List.of("X-Spam-Status", "X-Spam"), null))
                .isEqualTo("X-Spam-Status: Yes\r\nFrom: a@b.example\r\nX-Spam-Flag: keep\r\n\r\nbody\r\n");
    }

    @Test
    void subjectTagShouldGoInFrontOfTheFirstSubjectOnly() throws Exception {
        assertThat(edit("Subject: lunch\r\n at noon\r\nSubject: again\r\n\r\nSubject: body\r\n", List.of(), List.of(), "[SPAM]"))
                .isEqualTo("Subject: [SPAM] lunch\r\n at noon\r\nSubject: again\r\n\r\nSubject: body\r\n");
        assertThat(edit("Subject:lunch\r\n\r\n", List.of(), List.of(), "[SPAM]")).isEqualTo("Subject: [SPAM] lunch\r\n\r\n");
    }

    @Test
    void messageWithoutSubjectShouldGetOneWithTheTag() throws Exception {
        assertThat(edit("From: a@b.example\r\n\r\nbody\r\n", List.of(), List.of(), "[SPAM]"))
                .isEqualTo("From: a@b.example\r\nSubject: [SPAM]\r\n\r\nbody\r\n");
        assertThat(edit("From: a@b.example\r\n", List.of(), List.of(), "[SPAM]"))
                .isEqualTo("From: a@b.example\r\nSubject: [SPAM]\r\n");
    }
}
