package dev.mailwright.protocol.sasl;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mailwright.password.ScramCredentials;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * Coverage-guided fuzzing of each SASL mechanism (ADR 0025), through {@link SaslExchange} as POP3
 * and SMTP drive it. Input: the client's responses, separated by {@code 0xFF}; the first octet says
 * whether the first one is an initial response (bit 0) and whether responses travel as given text
 * (bit 1: so base64 itself is fuzzed) or base64-encoded from the raw octets.
 *
 * <p>Every exchange ends within the mechanism's number of steps in a {@link SaslStep.Success} or
 * {@link SaslStep.Failure}, never an exception; success only for the right credentials of a known
 * user; SCRAM's server-first message carries the client's nonce and the salt and iterations.
 */
class SaslMechanismFuzzTest {

    private static final byte[] SALT = Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    private static final String SERVER_NONCE = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private static final FakeAuthenticator AUTH = new FakeAuthenticator()
            .with("user", "pencil", ScramCredentials.derive("pencil".toCharArray(), SALT, 4096));

    @FuzzTest(maxDuration = "2m")
    void plainShouldEndInSuccessOrFailure(byte[] input) {
        exchange(input, () -> new PlainMechanism(AUTH), 2);
    }

    @FuzzTest(maxDuration = "2m")
    void loginShouldEndInSuccessOrFailure(byte[] input) {
        exchange(input, () -> new LoginMechanism(AUTH), 3);
    }

    @FuzzTest(maxDuration = "2m")
    void scramSha256ShouldEndInSuccessOrFailure(byte[] input) {
        List<SaslStep> steps = exchange(input, () -> new ScramSha256Mechanism(AUTH, () -> SERVER_NONCE), 4);
        for (SaslStep s : steps) {
            if (s instanceof SaslStep.Challenge c && c.data().length > 0) {
                String text = new String(c.data(), StandardCharsets.UTF_8);
                assertThat(text).matches("r=[^,]*" + java.util.regex.Pattern.quote(SERVER_NONCE)
                        + ",s=[A-Za-z0-9+/=]+,i=[0-9]+|v=[A-Za-z0-9+/=]+");
            }
        }
    }

    private static List<SaslStep> exchange(byte[] input, Supplier<SaslMechanism> mechanism, int maxSteps) {
        List<SaslStep> steps = new ArrayList<>();
        if (input.length == 0) {
            return steps;
        }
        boolean initial = (input[0] & 0x01) != 0;
        boolean asText = (input[0] & 0x02) != 0;
        List<byte[]> responses = new ArrayList<>();
        int from = 1;
        for (int i = 1; i <= input.length; i++) {
            if (i == input.length || input[i] == (byte) 0xFF) {
                responses.add(Arrays.copyOfRange(input, from, i));
                from = i + 1;
            }
        }
        SaslExchange x = new SaslExchange(mechanism.get());
        SaslStep step = x.start(initial ? line(responses.remove(0), asText) : null);
        steps.add(step);
        while (!x.isDone() && !responses.isEmpty()) {
            assertThat(steps).as("an exchange that never ends").hasSizeLessThan(maxSteps);
            step = x.respond(line(responses.remove(0), asText));
            steps.add(step);
        }
        if (step instanceof SaslStep.Success s) {
            assertThat(s.username()).isEqualTo("user");
            assertThat(s.account().address().localPart()).isEqualTo("user");
            assertThat(new String(input, StandardCharsets.ISO_8859_1).contains("pencil")
                    || mechanism.get() instanceof ScramSha256Mechanism).as("success without the password").isTrue();
        }
        if (step instanceof SaslStep.Failure f) {
            assertThat(f.reason()).isNotNull();
            assertThat(x.isDone()).isTrue();
        }
        return steps;
    }

    private static String line(byte[] response, boolean asText) {
        return asText ? new String(response, StandardCharsets.UTF_8) : Base64.getEncoder().encodeToString(response);
    }
}
