package dev.mailwright.protocol.sasl;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.store.Account;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** SASL PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd}. */
public final class PlainMechanism implements SaslMechanism {

    private final Authenticator authenticator;
    private boolean challenged;

    public PlainMechanism(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public String name() {
        return "PLAIN";
    }

    @Override
    public SaslStep evaluate(byte[] response) {
        if (response == null) {
            if (challenged) {
                return new SaslStep.Failure(SaslStep.Reason.MALFORMED, null);
            }
            challenged = true;
            return new SaslStep.Challenge(new byte[0]);
        }
        int first = indexOf(response, 0);
        int second = first < 0 ? -1 : indexOf(response, first + 1);
        if (first < 0 || second < 0 || indexOf(response, second + 1) >= 0) {
            return new SaslStep.Failure(SaslStep.Reason.MALFORMED, null);
        }
        String authzid;
        String authcid;
        char[] password;
        try {
            authzid = decode(response, 0, first);
            authcid = decode(response, first + 1, second);
            CharBuffer pw = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(response, second + 1, response.length - second - 1));
            password = new char[pw.remaining()];
            pw.get(password);
        } catch (CharacterCodingException e) {
            return new SaslStep.Failure(SaslStep.Reason.MALFORMED, null);
        }
        if (authcid.isEmpty()) {
            return new SaslStep.Failure(SaslStep.Reason.MALFORMED, null);
        }
        if (!authzid.isEmpty() && !authzid.equals(authcid)) {
            return new SaslStep.Failure(SaslStep.Reason.AUTHZ_REFUSED, authcid);
        }
        try {
            Optional<Account> account = authenticator.authenticate(authcid, password);
            return account.<SaslStep>map(a -> new SaslStep.Success(a, authcid))
                    .orElseGet(() -> new SaslStep.Failure(SaslStep.Reason.BAD_CREDENTIALS, authcid));
        } finally {
            Arrays.fill(password, '\0');
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

    private static String decode(byte[] b, int from, int to) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(b, from, to - from)).toString();
    }
}
