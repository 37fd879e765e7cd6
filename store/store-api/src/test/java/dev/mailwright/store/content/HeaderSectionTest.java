package dev.mailwright.store.content;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class HeaderSectionTest {

    @Test
    void fieldsShouldKeepTheirExactTextAndTheStreamBeLeftAtTheBody() throws IOException {
        InputStream in = new ByteArrayInputStream(("From: a@x.test\r\nSubject: one\r\n\ttwo\r\nX-Ü: \u00fc\r\n\r\nbody\r\n")
                .getBytes(ISO_8859_1));
        HeaderSection h = HeaderSection.read(in, 1 << 20);
        assertThat(h.fields()).containsExactly("From: a@x.test\r\n", "Subject: one\r\n\ttwo\r\n", "X-Ü: \u00fc\r\n");
        assertThat(h.complete()).isTrue();
        assertThat(h.get("subject")).hasSize(1);
        assertThat(HeaderSection.value(h.get("Subject").get(0))).isEqualTo("one\ttwo");
        assertThat(new String(in.readAllBytes(), ISO_8859_1)).isEqualTo("body\r\n");
    }

    @Test
    void pastTheLimitTheRestOfTheSectionShouldBeReadButNotKept() throws IOException {
        String big = "X-Big: " + "y".repeat(2000) + "\r\n";
        InputStream in = new ByteArrayInputStream(("A: 1\r\n" + big + "B: 2\r\n\r\nbody").getBytes(ISO_8859_1));
        HeaderSection h = HeaderSection.read(in, 100);
        assertThat(h.complete()).isFalse();
        assertThat(h.get("B")).isEmpty();
        assertThat(new String(in.readAllBytes(), ISO_8859_1)).isEqualTo("body");
    }

    @Test
    void relaxedCanonicalisationShouldBeRfc6376s() {
        // RFC 6376 3.4.5's example, relaxed header part
        assertThat(HeaderSection.relaxed("A: X\r\n")).isEqualTo("a:X\r\n");
        assertThat(HeaderSection.relaxed("B : Y\t\r\n\tZ  \r\n")).isEqualTo("b:Y Z\r\n");
    }
}
