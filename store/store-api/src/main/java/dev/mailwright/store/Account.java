package dev.mailwright.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A user with one mailbox (the POP3 maildrop, INBOX).
 *
 * @param id            stable id; every mailbox-owned row carries it
 * @param address       the address as it was created
 * @param enabled       a disabled account cannot log in; mail for it is still accepted
 * @param quota         limits of the mailbox
 * @param usage         what the mailbox holds now (exact, kept in counters)
 * @param created       when the account was created
 * @param lastLogin     the last successful login, if any
 * @param apopSecretSet whether an APOP shared secret is set
 * @param policy        per-account POP3 overrides of the server policy
 */
public record Account(long id, Address address, boolean enabled, Quota quota, Usage usage, Instant created,
                      Optional<Instant> lastLogin, boolean apopSecretSet, Pop3Policy policy) {

    /**
     * Per-account overrides of the server's POP3 policies (RFC 2449 EXPIRE and LOGIN-DELAY);
     * empty means "use the server default".
     */
    public record Pop3Policy(Optional<Duration> expire, Optional<Duration> loginDelay) {
        public static final Pop3Policy SERVER_DEFAULT = new Pop3Policy(Optional.empty(), Optional.empty());
    }
}
