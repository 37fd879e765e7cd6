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

    /** A fresh mechanism for one exchange; empty for a name we do not implement. */
    public static Optional<SaslMechanism> create(String name, Authenticator authenticator) {
        return switch (name.toUpperCase(Locale.ROOT)) {
            case PLAIN -> Optional.of(new PlainMechanism(authenticator));
            case LOGIN -> Optional.of(new LoginMechanism(authenticator));
            case SCRAM_SHA_256 -> Optional.of(new ScramSha256Mechanism(authenticator));
            default -> Optional.empty();
        };
    }

    /**
     * The mechanisms to offer now: all of them where credentials may travel (over TLS, or where
     * the configuration allows plaintext), none before. Not even SCRAM: its exchange shows an
     * eavesdropper the user name and what an offline guess needs.
     */
    public static List<String> offered(boolean credentialsAllowed) {
        return credentialsAllowed ? ALL : List.of();
    }
}
