package dev.mailwright.protocol.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TraceRedactionTest {

    private final TraceRedaction pop3 = new TraceRedaction(
            Set.of("USER", "PASS", "APOP", "AUTH", "STAT", "QUIT", "CAPA", "STLS"), Map.of("PASS", 1, "APOP", 2, "AUTH", 2));

    @Test
    void secretArgumentsAreRedacted() {
        assertThat(pop3.line("USER ann@example.org", false)).isEqualTo("USER ann@example.org");
        assertThat(pop3.line("PASS correct horse", false)).isEqualTo("PASS <redacted>");
        assertThat(pop3.line("apop ann 0123456789abcdef", false)).isEqualTo("apop ann <redacted>");
        assertThat(pop3.line("AUTH PLAIN AGFubgBzZWNyZXQ=", false)).isEqualTo("AUTH PLAIN <redacted>");
        assertThat(pop3.line("STAT", false)).isEqualTo("STAT");
    }

    @Test
    void everyLineOfASaslExchangeIsRedacted() {
        assertThat(pop3.line("AUTH LOGIN", false)).isEqualTo("AUTH LOGIN");
        assertThat(pop3.line("YW5u", true)).isEqualTo("<SASL response redacted>");
        assertThat(pop3.line("c2VjcmV0", true)).isEqualTo("<SASL response redacted>");
        assertThat(pop3.line("STAT", false)).isEqualTo("STAT");
    }

    @Test
    void linesPipelinedBehindARefusedAuthAreRedactedUntilACommandComes() {
        // AUTH LOGIN refused (no TLS yet): the client had already sent its user name and password
        assertThat(pop3.line("AUTH LOGIN", false)).isEqualTo("AUTH LOGIN");
        assertThat(pop3.line("YW5uQGV4YW1wbGUub3Jn", false)).isEqualTo("<redacted: line after AUTH>");
        assertThat(pop3.line("c2VjcmV0IHBhc3N3b3Jk", false)).isEqualTo("<redacted: line after AUTH>");
        assertThat(pop3.line("STLS", false)).isEqualTo("STLS");
        assertThat(pop3.line("hello there", false)).as("no AUTH before: shown").isEqualTo("hello there");
    }
}
