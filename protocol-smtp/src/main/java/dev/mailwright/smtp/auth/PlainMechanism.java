package dev.mailwright.smtp.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * SASL PLAIN (RFC 4616): {@code authzid NUL authcid NUL passwd}. An authorization identity
 * other than the authentication identity is refused: nobody may act for someone else.
 */
public final class PlainMechanism implements SaslExchange {

    private final PasswordCheck check;
    private boolean challenged;

    public PlainMechanism(PasswordCheck check) {
        this.check = check;
    }

    @Override
    public SaslStep step(byte[] response) {
        if (response == null) {
            if (challenged) {
                return new SaslStep.Failure("no response");
            }
            challenged = true;
            return new SaslStep.Challenge(new byte[0]);
        }
        int first = indexOf(response, 0);
        int second = first < 0 ? -1 : indexOf(response, first + 1);
        if (second < 0 || indexOf(response, second + 1) >= 0) {
            return new SaslStep.Failure("malformed PLAIN response");
        }
        Optional<String> authzid = utf8(Arrays.copyOfRange(response, 0, first));
        Optional<String> authcid = utf8(Arrays.copyOfRange(response, first + 1, second));
        char[] password = chars(Arrays.copyOfRange(response, second + 1, response.length));
        try {
            if (authzid.isEmpty() || authcid.isEmpty() || authcid.get().isEmpty() || password == null) {
                return new SaslStep.Failure("malformed PLAIN response");
            }
            if (!authzid.get().isEmpty() && !authzid.get().equalsIgnoreCase(authcid.get())) {
                return new SaslStep.Failure("authorization identity differs from authentication identity");
            }
            return check.check(authcid.get(), password)
                    .<SaslStep>map(SaslStep.Success::new)
                    .orElseGet(() -> new SaslStep.Failure("invalid credentials"));
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            Arrays.fill(response, (byte) 0);
        }
    }

    private static int indexOf(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return -1;
    }

    static Optional<String> utf8(byte[] bytes) {
        char[] c = chars(bytes);
        return c == null ? Optional.empty() : Optional.of(new String(c));
    }

    static char[] chars(byte[] bytes) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            char[] out = new char[cb.remaining()];
            cb.get(out);
            return out;
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
