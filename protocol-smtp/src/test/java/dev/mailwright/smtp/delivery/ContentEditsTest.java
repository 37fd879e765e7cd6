package dev.mailwright.smtp.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.smtp.policy.ContentVerdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContentEditsTest {

    private static String edit(String content, ContentVerdict.FieldFilter removes, Optional<String> tag) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContentEdits.copy(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), out, removes, tag);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutEditsTheContentShouldPassByteForByte() throws IOException {
        String odd = "no header at all\r\n\r\nbody";
        assertThat(edit(odd, ContentVerdict.FieldFilter.NONE, Optional.empty())).isEqualTo(odd);
    }

    @Test
    void aFoldedFieldShouldBeDroppedWhole() throws IOException {
        String in = "X-A: 1\r\nX-Drop: a\r\n b\r\n\tc\r\nX-B: 2\r\n\r\nX-Drop: in the body\r\n";
        assertThat(edit(in, (n, v) -> n.equals("X-Drop"), Optional.empty()))
                .isEqualTo("X-A: 1\r\nX-B: 2\r\n\r\nX-Drop: in the body\r\n");
    }

    @Test
    void theFilterShouldSeeTheUnfoldedValue() throws IOException {
        String in = "Authentication-Results: mx.example.org;\r\n spf=pass\r\nSubject: s\r\n\r\nb";
        assertThat(edit(in, (n, v) -> v.equals("mx.example.org; spf=pass"), Optional.empty())).isEqualTo("Subject: s\r\n\r\nb");
    }

    @Test
    void theSubjectShouldBeTaggedOnce() throws IOException {
        assertThat(edit("Subject: hello\r\n\r\nb", ContentVerdict.FieldFilter.NONE, Optional.of("[SPAM]")))
                .isEqualTo("Subject: [SPAM] hello\r\n\r\nb");
        assertThat(edit("Subject: [SPAM] hello\r\n\r\nb", ContentVerdict.FieldFilter.NONE, Optional.of("[SPAM]")))
                .isEqualTo("Subject: [SPAM] hello\r\n\r\nb");
    }

    @Test
    void aHeaderEndingWithTheInputShouldStillGetTheTag() throws IOException {
        assertThat(edit("From: a@b.example\r\n", ContentVerdict.FieldFilter.NONE, Optional.of("[Q]")))
                .isEqualTo("From: a@b.example\r\nSubject: [Q]\r\n");
    }

    @Test
    void aFieldLongerThanTheLimitShouldPassUnchanged() throws IOException {
        String longValue = "x".repeat(ContentEdits.MAX_FIELD + 10);
        String in = "X-Long: a\r\n " + longValue + "\r\n more\r\nX-Drop: y\r\n\r\nb";
        assertThat(edit(in, (n, v) -> n.startsWith("X-"), Optional.empty())).isEqualTo(in.replace("X-Drop: y\r\n", ""));
    }

    @Test
    void aVerdictShouldRefuseFieldsThatCouldForgeOthers() {
        assertThatThrownBy(() -> ContentVerdict.pass("x").withField("X-A: 1\r\nX-B: 2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentVerdict.pass("x").withField("X-A: 1\nX-B: 2"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentVerdict.pass("x").withField("no colon")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ContentVerdict.pass("x").withSubjectTag("[A]\r\nBcc: x")).isInstanceOf(IllegalArgumentException.class);
        assertThat(ContentVerdict.pass("x").withField("X-A: 1\r\n\t2").fields()).containsExactly("X-A: 1\r\n\t2");
    }

    @Test
    void combiningShouldKeepTheFirstRefusalOrEverythingInOrder() {
        ContentVerdict a = ContentVerdict.pass("a").withField("X-A: 1").withSubjectTag("[A]").withResult("spf", "pass");
        ContentVerdict b = ContentVerdict.pass("b").withField("X-B: 2").withSubjectTag("[B]").withResult("dkim", "fail");
        ContentVerdict combined = ContentVerdict.combine(List.of(a, b));
        assertThat(combined.fields()).containsExactly("X-A: 1", "X-B: 2");
        assertThat(combined.subjectTag()).contains("[A] [B]");
        assertThat(combined.results()).containsExactly(java.util.Map.entry("spf", "pass"), java.util.Map.entry("dkim", "fail"));
        ContentVerdict no = ContentVerdict.refuse("no", dev.mailwright.smtp.api.SmtpReply.of(550, "5.7.1", "no"));
        assertThat(ContentVerdict.combine(List.of(a, no, b))).isSameAs(no);
    }
}
