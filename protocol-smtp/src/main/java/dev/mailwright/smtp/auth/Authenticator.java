package dev.mailwright.smtp.auth;

import dev.mailwright.protocol.sasl.SaslMechanism;
import dev.mailwright.protocol.sasl.SaslMechanisms;
import java.util.List;
import java.util.Optional;

/**
 * The SASL mechanisms AUTH offers (protocol-core's PLAIN, LOGIN and SCRAM-SHA-256) over
 * an account check. Shared by sessions; thread-safe.
 */
public interface Authenticator {

    /** No mechanisms: AUTH is never offered. */
    Authenticator NONE = new Authenticator() {
        @Override
        public List<String> mechanisms() {
            return List.of();
        }

        @Override
        public Optional<SaslMechanism> start(String mechanism) {
            return Optional.empty();
        }
    };

    /** Mechanism names in the order EHLO lists them. */
    List<String> mechanisms();

    /** A fresh exchange; empty for an unsupported mechanism. */
    Optional<SaslMechanism> start(String mechanism);

    /** SCRAM-SHA-256, PLAIN and LOGIN against these accounts (the store's, or the caller's own). */
    static Authenticator of(dev.mailwright.protocol.Authenticator accounts) {
        return new Authenticator() {
            @Override
            public List<String> mechanisms() {
                return SaslMechanisms.ALL;
            }

            @Override
            public Optional<SaslMechanism> start(String mechanism) {
                return SaslMechanisms.create(mechanism, accounts);
            }
        };
    }
}
