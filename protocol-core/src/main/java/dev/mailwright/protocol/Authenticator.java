package dev.mailwright.protocol;

import dev.mailwright.store.Account;
import dev.mailwright.store.Accounts;
import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.password.ScramCredentials;
import java.util.Optional;

/**
 * Credentials checks the protocols need. Blocking (hashing, database): call it off the I/O
 * threads. Every method may throw {@link dev.mailwright.store.StoreUnavailableException}.
 */
public interface Authenticator {

    /** The account when the password is right and the account enabled; same work for an unknown user. */
    Optional<Account> authenticate(String username, char[] password);

    /** SCRAM-SHA-256 material of an enabled account. */
    Optional<ScramCredentials> scramCredentials(String username);

    /** Whether SCRAM-SHA-256 may be offered: the store keeps verifiers (ADR 0029). Off unless said. */
    default boolean scramEnabled() {
        return false;
    }

    /**
     * What SCRAM shows for a name without {@link #scramCredentials}, the same at every attempt,
     * on every node and after a restart ({@link Accounts#scramStandIn}).
     */
    default ScramCredentials scramStandIn(String username) {
        throw new UnsupportedOperationException("SCRAM is not enabled");
    }

    /** The enabled account of that name, without checking anything (after SCRAM or APOP succeeded). */
    Optional<Account> account(String username);

    /** The APOP shared secret of an enabled account, if one is set. */
    Optional<String> apopSecret(String username);

    /**
     * This authenticator, with a bare user name (no {@code @}) taken as one of {@code domain}:
     * users who logged in as {@code ann} on the old server (Dovecot's {@code auth_default_realm})
     * keep doing so. Names with a domain are untouched.
     */
    default Authenticator withDefaultDomain(String domain) {
        Authenticator inner = this;
        String suffix = "@" + Address.parseDomain(domain);
        return new Authenticator() {
            private String qualified(String username) {
                return username.isEmpty() || username.indexOf('@') >= 0 ? username : username + suffix;
            }

            @Override
            public Optional<Account> authenticate(String username, char[] password) {
                return inner.authenticate(qualified(username), password);
            }

            @Override
            public Optional<ScramCredentials> scramCredentials(String username) {
                return inner.scramCredentials(qualified(username));
            }

            @Override
            public boolean scramEnabled() {
                return inner.scramEnabled();
            }

            @Override
            public ScramCredentials scramStandIn(String username) {
                return inner.scramStandIn(qualified(username));
            }

            @Override
            public Optional<Account> account(String username) {
                return inner.account(qualified(username));
            }

            @Override
            public Optional<String> apopSecret(String username) {
                return inner.apopSecret(qualified(username));
            }
        };
    }

    /** The store's own accounts. */
    static Authenticator of(Accounts accounts) {
        return new Authenticator() {
            @Override
            public Optional<Account> authenticate(String username, char[] password) {
                return accounts.authenticate(username, password);
            }

            @Override
            public Optional<ScramCredentials> scramCredentials(String username) {
                return accounts.scramCredentials(username);
            }

            @Override
            public boolean scramEnabled() {
                return accounts.scramEnabled();
            }

            @Override
            public ScramCredentials scramStandIn(String username) {
                return accounts.scramStandIn(username);
            }

            @Override
            public Optional<Account> account(String username) {
                try {
                    return accounts.get(Address.parse(username)).filter(Account::enabled);
                } catch (InvalidInputException e) {
                    return Optional.empty();
                }
            }

            @Override
            public Optional<String> apopSecret(String username) {
                return accounts.apopSecret(username);
            }
        };
    }
}
