package dev.mailwright.smtp.auth;

/** What a SASL exchange says after a client response. */
public sealed interface SaslStep {

    /** Send this challenge ({@code 334 base64}) and wait for the next response. */
    record Challenge(byte[] data) implements SaslStep {
        public Challenge {
            data = data.clone();
        }
    }

    /** Authenticated as {@code user} (canonical form, as the account was created). */
    record Success(String user) implements SaslStep {
    }

    /** Wrong credentials, or a malformed or refused exchange (such as authzid != authcid). */
    record Failure(String reason) implements SaslStep {
    }
}
