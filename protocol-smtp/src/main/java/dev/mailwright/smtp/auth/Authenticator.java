package dev.mailwright.smtp.auth;

import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.sasl.SaslMechanism;
import dev.mailwright.protocol.sasl.SaslMechanisms;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The SASL mechanisms AUTH offers (protocol-core's PLAIN, LOGIN and, when on, SCRAM-SHA-256) over
 * an account check, and the {@link AuthThrottle} every AUTH goes through. Shared by sessions;
 * thread-safe.
 */
public interface Authenticator {

    /** No mechanisms: AUTH is never offered. */
    Authenticator NONE = new Authenticator() {
        @Override
        public List<String> mechanisms() {
            return List.of();
        }

        @Override
        public Optional<SaslMechanism> start(String mechanism, AuthThrottle.Attempt attempt) {
            return Optional.empty();
        }

        @Override
        public AuthThrottle throttle() {
            return AuthThrottle.disabled();
        }
    };

    /** Mechanism names in the order EHLO lists them. */
    List<String> mechanisms();

    /**
     * A fresh exchange whose credential lookups go through {@code attempt} (so a refused
     * attempt hashes nothing); empty for an unsupported mechanism.
     */
    Optional<SaslMechanism> start(String mechanism, AuthThrottle.Attempt attempt);

    /** Where failures are counted, and attempts held or refused. */
    AuthThrottle throttle();

    /**
     * PLAIN and LOGIN against these accounts (the store's, or the caller's own), and SCRAM-SHA-256
     * when they keep SCRAM keys (ADR 0029).
     */
    static Authenticator of(dev.mailwright.protocol.Authenticator accounts, AuthThrottle throttle) {
        Objects.requireNonNull(throttle);
        return new Authenticator() {
            @Override
            public List<String> mechanisms() {
                return SaslMechanisms.implemented(accounts);
            }

            @Override
            public Optional<SaslMechanism> start(String mechanism, AuthThrottle.Attempt attempt) {
                return SaslMechanisms.create(mechanism, attempt.guard(accounts));
            }

            @Override
            public AuthThrottle throttle() {
                return throttle;
            }
        };
    }
}
