package dev.mailwright.protocol.sasl;

import dev.mailwright.protocol.Authenticator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The mechanisms the server implements, by name. */
public final class SaslMechanisms {

    public static final String PLAIN = "PLAIN";
    public static final String LOGIN = "LOGIN";
    public static final String SCRAM_SHA_256 = "SCRAM-SHA-256";

    /** Mechanisms that send the password itself: only offered over TLS (or when plaintext is allowed). */
    public static final List<String> PLAINTEXT = List.of(PLAIN, LOGIN);

    /** Everything we implement, strongest first. */
    public static final List<String> ALL = List.of(SCRAM_SHA_256, PLAIN, LOGIN);

    private SaslMechanisms() {
    }

    /** Everything but SCRAM, for authenticators whose store keeps no SCRAM keys (the default, ADR 0029). */
    public static final List<String> WITHOUT_SCRAM = List.of(PLAIN, LOGIN);

    /**
     * A fresh mechanism for one exchange; empty for a name we do not implement, and for SCRAM
     * when the authenticator keeps no SCRAM keys.
     */
    public static Optional<SaslMechanism> create(String name, Authenticator authenticator) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case PLAIN -> Optional.of(new PlainMechanism(authenticator));
            case LOGIN -> Optional.of(new LoginMechanism(authenticator));
            case SCRAM_SHA_256 -> authenticator.scramEnabled() ? Optional.of(new ScramSha256Mechanism(authenticator))
                    : Optional.empty();
            default -> Optional.empty();
        };
    }

    /** What {@code authenticator} implements: SCRAM-SHA-256 only when it keeps SCRAM keys. */
    public static List<String> implemented(Authenticator authenticator) {
        return authenticator.scramEnabled() ? ALL : WITHOUT_SCRAM;
    }

    /**
     * The mechanisms to offer now: those {@code authenticator} implements where credentials may
     * travel (over TLS, or where the configuration allows plaintext), none before. Not even
     * SCRAM: its exchange shows an eavesdropper the user name and what an offline guess needs.
     */
    public static List<String> offered(boolean credentialsAllowed, Authenticator authenticator) {
        return credentialsAllowed ? implemented(authenticator) : List.of();
    }
}
