package dev.mailwright.protocol.sasl;

import dev.mailwright.store.Account;

/** What a SASL mechanism answers to one client response. */
public sealed interface SaslStep {

    /** Send this challenge (raw octets; the protocol base64-encodes it) and wait for the next response. */
    record Challenge(byte[] data) implements SaslStep {
        public Challenge {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }

    /** Authenticated. {@code username} is the authentication identity as the client gave it. */
    record Success(Account account, String username) implements SaslStep {
    }

    /** The exchange is over and failed. */
    record Failure(Reason reason, String username) implements SaslStep {
    }

    enum Reason {
        /** Unknown user, wrong password or proof, disabled account: one reason, so they look alike. */
        BAD_CREDENTIALS,
        /** The response did not follow the mechanism's syntax, or was not valid base64. */
        MALFORMED,
        /** An authorization identity other than the authentication identity was asked for. */
        AUTHZ_REFUSED,
        /** The client sent {@code *}. */
        CANCELLED
    }
}
