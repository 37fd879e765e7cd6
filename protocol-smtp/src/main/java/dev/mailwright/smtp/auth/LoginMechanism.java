package dev.mailwright.smtp.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/** The non-standard but ubiquitous LOGIN mechanism: user name, then password, each after a prompt. */
public final class LoginMechanism implements SaslExchange {

    private static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);

    private final PasswordCheck check;
    private String username;
    private boolean started;

    public LoginMechanism(PasswordCheck check) {
        this.check = check;
    }

    @Override
    public SaslStep step(byte[] response) {
        if (!started) {
            started = true;
            if (response == null) {
                return new SaslStep.Challenge(USERNAME);
            }
        } else if (response == null) {
            return new SaslStep.Failure("no response");
        }
        if (username == null) {
            Optional<String> name = PlainMechanism.utf8(response);
            if (name.isEmpty() || name.get().isEmpty()) {
                return new SaslStep.Failure("malformed user name");
            }
            username = name.get();
            return new SaslStep.Challenge(PASSWORD);
        }
        char[] password = PlainMechanism.chars(response);
        try {
            if (password == null) {
                return new SaslStep.Failure("malformed password");
            }
            return check.check(username, password)
                    .<SaslStep>map(SaslStep.Success::new)
                    .orElseGet(() -> new SaslStep.Failure("invalid credentials"));
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            Arrays.fill(response, (byte) 0);
        }
    }
}
