package dev.mailwright.store;

import dev.mailwright.password.ScramCredentials;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Users and their credentials. Addresses are matched case-insensitively and in NFC, and
 * shown as they were created.
 */
public interface Accounts {

    /**
     * Creates an account in an existing domain with a password, hashed with the default
     * scheme. Fails with {@link InvalidInputException} for an unknown domain or an empty
     * password, {@link AlreadyExistsException} for a duplicate.
     */
    Account add(Address address, char[] password);

    /**
     * Creates an account with a password hash carried over from another server, in
     * {@code {SCHEME}} or PHC form (see {@link dev.mailwright.password.PasswordHashing}).
     */
    Account addWithHash(Address address, String passwordHash);

    /**
     * Creates accounts with carried-over password hashes, in the map's order, in one
     * transaction: when any of them fails like {@link #addWithHash} would (unknown domain,
     * duplicate, unsupported hash) none is created, and the exception names its address.
     */
    List<Account> addAllWithHash(Map<Address, String> passwordHashes);

    Optional<Account> get(Address address);

    Optional<Account> get(long id);

    /** Accounts of one domain, or of all domains when {@code domain} is empty, ordered by address. */
    List<Account> list(Optional<String> domain);

    /**
     * Checks a password. Returns the account when the password is right and the account
     * enabled, empty otherwise; an unknown user costs the same work as a wrong password.
     * A hash in an older scheme or weaker parameters is replaced by the default on success.
     */
    Optional<Account> authenticate(String username, char[] password);

    /**
     * The SCRAM-SHA-256 material of an enabled account, if SCRAM is on and its password was set
     * (or last used to log in) here at the configured iterations; empty otherwise.
     */
    Optional<ScramCredentials> scramCredentials(String username);

    /** Whether SCRAM-SHA-256 verifiers are kept ({@code passwords.scram}); SCRAM is offered only then. ADR 0029. */
    boolean scramEnabled();

    /**
     * What SCRAM shows for a name without {@link #scramCredentials}: derived from a secret the
     * store keeps (in the database, for PostgreSQL), so it is the same on every node and after a
     * restart, and an unknown user cannot be told from a real one by it. Only while {@link #scramEnabled()}.
     */
    ScramCredentials scramStandIn(String username);

    void changePassword(Address address, char[] password);

    void setEnabled(Address address, boolean enabled);

    void setQuota(Address address, Quota quota);

    /** Sets (or, with empty, clears) the shared secret APOP needs; it is kept as given, since APOP hashes it per login. */
    void setApopSecret(Address address, Optional<String> secret);

    /** The APOP secret of an enabled account, if set. */
    Optional<String> apopSecret(String username);

    void setPop3Policy(Address address, Account.Pop3Policy policy);

    /** Records a successful login (LOGIN-DELAY and {@code user show} use it). */
    void recordLogin(long accountId, Instant when);

    /** Recomputes the usage counters from the stored messages; returns {@code {before, after}}. */
    Usage[] recalculateUsage(Address address);

    /**
     * Recomputes the usage counters of every account in one transaction; returns
     * {@code {before, after}} per account, ordered by address.
     */
    Map<Address, Usage[]> recalculateAllUsage();

    /** Removes the account, its mailbox and its aliases-as-source. */
    void remove(Address address);
}
