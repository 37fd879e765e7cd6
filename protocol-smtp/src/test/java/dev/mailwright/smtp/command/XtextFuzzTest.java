package dev.mailwright.smtp.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** xtext (RFC 3461 4) both ways (ADR 0025): decoding never throws, and encoding round-trips. */
class XtextFuzzTest {

    @FuzzTest(maxDuration = "1m")
    void decodedTextShouldEncodeBackToItself(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        Optional<String> decoded = Xtext.decode(text);
        decoded.ifPresent(d -> {
            assertThat(d.chars()).allMatch(c -> c >= 0x20 && c <= 0x7e);
            String encoded = Xtext.encode(d);
            assertThat(encoded.chars()).allMatch(c -> c > 0x20 && c < 0x7f && c != '=');
            assertThat(Xtext.decode(encoded)).contains(d);
        });
    }

    /** Any printable ASCII (RFC 3461 4.4: graphic and white space) survives encoding and decoding. */
    @FuzzTest(maxDuration = "1m")
    void printableAsciiShouldRoundTrip(byte[] input) {
        String text = new String(input, StandardCharsets.ISO_8859_1);
        String printable = text.chars().filter(c -> c >= 0x20 && c <= 0x7e)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        assertThat(Xtext.decode(Xtext.encode(printable))).contains(printable);
    }
}
