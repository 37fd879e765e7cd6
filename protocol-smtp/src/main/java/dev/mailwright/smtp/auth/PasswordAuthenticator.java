package dev.mailwright.smtp.auth;

import dev.mailwright.store.Accounts;
import java.util.List;
import java.util.Optional;

/** PLAIN and LOGIN over a password check (by default the store's {@link Accounts#authenticate}). */
public final class PasswordAuthenticator implements Authenticator {

    private final PasswordCheck check;

    public PasswordAuthenticator(PasswordCheck check) {
        this.check = check;
    }

    public static PasswordAuthenticator of(Accounts accounts) {
        return new PasswordAuthenticator((user, password) ->
                accounts.authenticate(user, password).map(a -> a.address().toString()));
    }

    @Override
    public List<String> mechanisms() {
        return List.of("PLAIN", "LOGIN");
    }

    @Override
    public Optional<SaslExchange> start(String mechanism) {
        return switch (mechanism) {
            case "PLAIN" -> Optional.of(new PlainMechanism(check));
            case "LOGIN" -> Optional.of(new LoginMechanism(check));
            default -> Optional.empty();
        };
    }
}
