package dev.mailwright.smtp.api;

import dev.mailwright.smtp.api.SmtpRejection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SmtpReplyTest {

    @Test
    void singleLineShouldBeCodeSpaceEnhancedText() {
        assertThat(SmtpReply.OK.format()).isEqualTo("250 2.0.0 Ok\r\n");
    }

    @Test
    void multiLineShouldUseHyphensAndEnhancedCodeOnEveryLine() {
        SmtpReply r = SmtpReply.multi(214, "2.0.0", List.of("one", "two", "three"));
        assertThat(r.format()).isEqualTo("214-2.0.0 one\r\n214-2.0.0 two\r\n214 2.0.0 three\r\n");
    }

    @Test
    void ehloStyleReplyShouldHaveNoEnhancedCode() {
        assertThat(SmtpReply.multi(250, null, List.of("mx.example.org", "PIPELINING")).format())
                .isEqualTo("250-mx.example.org\r\n250 PIPELINING\r\n");
    }

    @Test
    void textShouldNeverCarryCrOrLf() {
        assertThat(SmtpReply.of(550, "5.1.1", "a\r\n250 b").format()).isEqualTo("550 5.1.1 a??250 b\r\n");
    }

    @Test
    void enhancedCodeShouldMatchReplyClass() {
        assertThatThrownBy(() -> SmtpReply.of(250, "5.0.0", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SmtpReply.of(250, "2.0", "x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SmtpRejection(SmtpReply.OK)).isInstanceOf(IllegalArgumentException.class);
    }
}
