package dev.mailwright.smtp.auth;

import java.util.List;
import java.util.Optional;

/** The SASL mechanisms a server supports. Shared by sessions; thread-safe. */
public interface Authenticator {

    /** An authenticator that supports no mechanism (AUTH is then never offered). */
    Authenticator NONE = new Authenticator() {
        @Override
        public List<String> mechanisms() {
            return List.of();
        }

        @Override
        public Optional<SaslExchange> start(String mechanism) {
            return Optional.empty();
        }
    };

    /** Mechanism names in the order EHLO lists them. */
    List<String> mechanisms();

    /** Starts an exchange; empty for an unsupported mechanism. */
    Optional<SaslExchange> start(String mechanism);
}
