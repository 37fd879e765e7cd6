package dev.mailwright.protocol.sasl;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.store.Account;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** The non-standard but widespread LOGIN mechanism: {@code Username:}, then {@code Password:}. */
public final class LoginMechanism implements SaslMechanism {

    private static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);

    private final Authenticator authenticator;
    private String username;
    private boolean awaitingUsername = true;

    public LoginMechanism(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    public String name() {
        return "LOGIN";
    }

    @Override
    public SaslStep evaluate(byte[] response) {
        if (awaitingUsername) {
            if (response == null) {
                return new SaslStep.Challenge(USERNAME);
            }
            if (response.length == 0) {
                return new SaslStep.Failure(SaslStep.Reason.MALFORMED, null);
            }
            username = new String(response, StandardCharsets.UTF_8);
            awaitingUsername = false;
            return new SaslStep.Challenge(PASSWORD);
        }
        if (response == null) {
            return new SaslStep.Failure(SaslStep.Reason.MALFORMED, username);
        }
        char[] password = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(response)).toString().toCharArray();
        try {
            String user = username;
            Optional<Account> account = authenticator.authenticate(user, password);
            return account.<SaslStep>map(a -> new SaslStep.Success(a, user))
                    .orElseGet(() -> new SaslStep.Failure(SaslStep.Reason.BAD_CREDENTIALS, user));
        } finally {
            Arrays.fill(password, '\0');
        }
    }
}
