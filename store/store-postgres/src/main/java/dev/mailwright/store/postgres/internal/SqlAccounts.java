package dev.mailwright.store.postgres.internal;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.password.ScramCredentials;
import dev.mailwright.store.Account;
import dev.mailwright.store.Accounts;
import dev.mailwright.store.Address;
import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.Quota;
import dev.mailwright.store.Secrets;
import dev.mailwright.store.Usage;
import dev.mailwright.store.internal.Passwords;
import dev.mailwright.store.internal.Uidl;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Accounts in SQL. Password hashing always happens outside any transaction. */
public final class SqlAccounts implements Accounts {

    static final String COLUMNS = "id, address, enabled, quota_bytes, quota_messages, messages, bytes, created,"
            + " last_login, apop_secret IS NOT NULL AS apop_set, pop3_expire_ms, pop3_login_delay_ms";

    private final Jdbc jdbc;
    private final Secrets secrets;
    private final Clock clock;
    private final Supplier<PasswordHashing> hashing;
    private final Runnable directoryChanged;

    /**
     * @param hashing          asked only when a password is hashed or verified (an admin command that
     *                         lists users never loads a hash library)
     * @param directoryChanged run after every change that recipient resolution could see
     */
    public SqlAccounts(Jdbc jdbc, Clock clock, Supplier<PasswordHashing> hashing, Secrets secrets, Runnable directoryChanged) {
        this.secrets = secrets;
        this.directoryChanged = directoryChanged;
        this.jdbc = jdbc;
        this.clock = clock;
        this.hashing = hashing;
    }

    @Override
    public Account add(Address address, char[] password) {
        Passwords.check(password);
        checkDomainAndFree(address);
        String hash = hashing.get().hash(password);
        String scram = hashing.get().scram(password).map(ScramCredentials::encode).orElse(null);
        return insert(address, hash, scram);
    }

    @Override
    public Account addWithHash(Address address, String passwordHash) {
        Passwords.checkHash(address, passwordHash);
        checkDomainAndFree(address);
        return insert(address, passwordHash, null);
    }

    private void checkDomainAndFree(Address address) {
        jdbc.call("check new account", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM domains WHERE name = ?),"
                    + " EXISTS (SELECT 1 FROM accounts WHERE address_key = ?)")) {
                ps.setString(1, address.domainKey());
                ps.setString(2, address.key());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new InvalidInputException("unknown domain: " + address.domain());
                    }
                    if (rs.getBoolean(2)) {
                        throw new AlreadyExistsException("user exists: " + address);
                    }
                    return null;
                }
            }
        });
    }

    private Account insert(Address address, String hash, String scram) {
        try {
            try {
                return jdbc.call("add account", c -> insertRow(c, address, hash, scram));
            } finally {
                directoryChanged.run(); // resolutions remembered before this change are void
            }
        } catch (AlreadyExistsException e) {
            throw new AlreadyExistsException("user exists: " + address);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("unknown domain: " + address.domain());
        }
    }

    private Account insertRow(Connection c, Address address, String hash, String scram) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO accounts (address, address_key, domain,"
                + " password_hash, scram, uid_validity, created) VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " RETURNING " + COLUMNS)) {
            ps.setString(1, address.toString());
            ps.setString(2, address.key());
            ps.setString(3, address.domainKey());
            ps.setString(4, hash);
            ps.setString(5, scram);
            ps.setLong(6, Uidl.newValidity());
            Jdbc.setInstant(ps, 7, clock.instant());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return account(rs);
            }
        }
    }

    @Override
    public List<Account> addAllWithHash(Map<Address, String> passwordHashes) {
        passwordHashes.forEach(Passwords::checkHash);
        try {
            return jdbc.inTransaction("add accounts", c -> {
                List<Account> added = new ArrayList<>();
                for (Map.Entry<Address, String> e : passwordHashes.entrySet()) {
                    Address address = e.getKey();
                    try {
                        added.add(insertRow(c, address, e.getValue(), null));
                    } catch (SQLException ex) {
                        // name the account; the whole transaction is rolled back
                        if ("23505".equals(ex.getSQLState())) {
                            throw new AlreadyExistsException("user exists: " + address);
                        }
                        if ("23503".equals(ex.getSQLState())) {
                            throw new InvalidInputException("unknown domain: " + address.domain());
                        }
                        throw ex;
                    }
                }
                return List.copyOf(added);
            });
        } finally {
            directoryChanged.run(); // resolutions remembered before this change are void
        }
    }

    @Override
    public Optional<Account> get(Address address) {
        return jdbc.call("get account", c -> find(c, "address_key = ?", address.key()));
    }

    @Override
    public Optional<Account> get(long id) {
        return jdbc.call("get account", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(account(rs)) : Optional.empty();
                }
            }
        });
    }

    private static Optional<Account> find(Connection c, String where, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts WHERE " + where)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(account(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public List<Account> list(Optional<String> domain) {
        Optional<String> d = domain.map(Address::parseDomain);
        return jdbc.call("list accounts", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM accounts"
                    + (d.isPresent() ? " WHERE domain = ?" : "") + " ORDER BY address_key")) {
                if (d.isPresent()) {
                    ps.setString(1, d.get());
                }
                List<Account> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(account(rs));
                    }
                }
                return out;
            }
        });
    }

    /** The stored password hash of an account, by user name; empty for unknown or malformed names. */
    private Optional<Credentials> credentials(String username) {
        Optional<String> key = key(username);
        if (key.isEmpty()) {
            return Optional.empty();
        }
        return jdbc.call("read credentials", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, password_hash, scram, apop_secret, enabled FROM accounts WHERE address_key = ?")) {
                ps.setString(1, key.get());
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new Credentials(rs.getLong(1), rs.getString(2), rs.getString(3),
                            rs.getString(4), rs.getBoolean(5))) : Optional.empty();
                }
            }
        });
    }

    private record Credentials(long id, String hash, String scram, String apopSecret, boolean enabled) {
    }

    private static Optional<String> key(String username) {
        try {
            return Optional.of(Address.parse(username).key());
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    @Override
    public Optional<Account> authenticate(String username, char[] password) {
        Optional<Credentials> found = credentials(username);
        if (found.isEmpty() || password == null || password.length == 0 || password.length > Passwords.MAX_LENGTH) {
            hashing.get().verifyDummy(password == null ? new char[0] : password);
            return Optional.empty();
        }
        Credentials cred = found.get();
        if (!hashing.get().verify(password, cred.hash())) {
            return Optional.empty();
        }
        String newHash = hashing.get().needsRehash(cred.hash()) ? hashing.get().hash(password) : null;
        // a verifier of other iterations (or any, with SCRAM off) is replaced (removed) now: ADR 0029
        boolean scramOutdated = newHash != null || hashing.get().scramOutdated(cred.scram());
        String newScram = scramOutdated ? hashing.get().scram(password).map(ScramCredentials::encode).orElse(null)
                : null;
        boolean update = newHash != null || scramOutdated;
        return jdbc.call("authenticate", c -> {
            String sql = !update
                    ? "SELECT " + COLUMNS + " FROM accounts WHERE id = ? AND password_hash = ?"
                    : "UPDATE accounts SET password_hash = coalesce(?, password_hash), scram = ?"
                      + " WHERE id = ? AND password_hash = ? RETURNING " + COLUMNS;
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int i = 1;
                if (update) {
                    ps.setString(i++, newHash);
                    ps.setString(i++, newScram);
                }
                ps.setLong(i++, cred.id());
                ps.setString(i, cred.hash());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.<Account>empty(); // removed or password changed meanwhile
                    }
                    Account account = account(rs);
                    return account.enabled() ? Optional.of(account) : Optional.<Account>empty();
                }
            }
        });
    }

    @Override
    public Optional<ScramCredentials> scramCredentials(String username) {
        if (!hashing.get().scramEnabled()) {
            return Optional.empty();
        }
        return credentials(username).filter(Credentials::enabled).flatMap(c -> hashing.get().usableScram(c.scram()));
    }

    @Override
    public boolean scramEnabled() {
        return hashing.get().scramEnabled();
    }

    @Override
    public ScramCredentials scramStandIn(String username) {
        return hashing.get().scramStandIn(scramSecret(), username);
    }

    private static final String SCRAM_SECRET = "scram-stand-in";
    private volatile byte[] scramSecret;

    /**
     * The secret of {@link #scramStandIn}, one of the shared {@link Secrets}: made by the first
     * node that needs it, read by every other, the same after a restart.
     */
    private byte[] scramSecret() {
        byte[] secret = scramSecret;
        if (secret == null) {
            byte[] fresh = new byte[32];
            hashing.get().random().nextBytes(fresh);
            secret = secrets.getOrCreate(SCRAM_SECRET, fresh);
            scramSecret = secret;
        }
        return secret;
    }

    @Override
    public void changePassword(Address address, char[] password) {
        Passwords.check(password);
        String hash = hashing.get().hash(password);
        String scram = hashing.get().scram(password).map(ScramCredentials::encode).orElse(null);
        update(address, "change password", "password_hash = ?, scram = ?", (ps, i) -> {
            ps.setString(i++, hash);
            ps.setString(i++, scram);
            return i;
        });
    }

    @Override
    public void setEnabled(Address address, boolean enabled) {
        update(address, "enable or disable account", "enabled = ?", (ps, i) -> {
            ps.setBoolean(i++, enabled);
            return i;
        });
    }

    @Override
    public void setQuota(Address address, Quota quota) {
        update(address, "set quota", "quota_bytes = ?, quota_messages = ?", (ps, i) -> {
            ps.setLong(i++, quota.maxBytes());
            ps.setLong(i++, quota.maxMessages());
            return i;
        });
    }

    @Override
    public void setApopSecret(Address address, Optional<String> secret) {
        secret.ifPresent(s -> {
            if (s.isEmpty()) {
                throw new InvalidInputException("empty APOP secret");
            }
        });
        update(address, "set APOP secret", "apop_secret = ?", (ps, i) -> {
            ps.setString(i++, secret.orElse(null));
            return i;
        });
    }

    @Override
    public Optional<String> apopSecret(String username) {
        return credentials(username).filter(Credentials::enabled).map(Credentials::apopSecret);
    }

    @Override
    public void setPop3Policy(Address address, Account.Pop3Policy policy) {
        update(address, "set POP3 policy", "pop3_expire_ms = ?, pop3_login_delay_ms = ?", (ps, i) -> {
            Jdbc.setLong(ps, i++, policy.expire().map(Duration::toMillis).orElse(null));
            Jdbc.setLong(ps, i++, policy.loginDelay().map(Duration::toMillis).orElse(null));
            return i;
        });
    }

    private void update(Address address, String what, String assignments, StoredContent.Binder binder) {
        try {
            jdbc.call(what, c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE accounts SET " + assignments + " WHERE address_key = ?")) {
                    ps.setString(binder.bind(ps, 1), address.key());
                    if (ps.executeUpdate() == 0) {
                        throw new NotFoundException("no such user: " + address);
                    }
                    return null;
                }
            });
        } finally {
            directoryChanged.run(); // resolutions remembered before this change are void
        }
    }

    @Override
    public void recordLogin(long accountId, Instant when) {
        jdbc.call("record login", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE accounts SET last_login = ? WHERE id = ?")) {
                Jdbc.setInstant(ps, 1, when);
                ps.setLong(2, accountId);
                ps.executeUpdate();
                return null;
            }
        });
    }

    @Override
    public Usage[] recalculateUsage(Address address) {
        return jdbc.inTransaction("recalculate usage", c -> {
            long id;
            Usage before;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT id, messages, bytes FROM accounts WHERE address_key = ? FOR UPDATE")) {
                ps.setString(1, address.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("no such user: " + address);
                    }
                    id = rs.getLong(1);
                    before = new Usage(rs.getLong(2), rs.getLong(3));
                }
            }
            try (PreparedStatement ps = c.prepareStatement("WITH s AS (SELECT count(*) AS n, coalesce(sum(size), 0) AS b"
                    + " FROM mailbox_entries WHERE account_id = ?)"
                    + " UPDATE accounts SET messages = s.n, bytes = s.b FROM s WHERE id = ? RETURNING s.n, s.b")) {
                ps.setLong(1, id);
                ps.setLong(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Usage[] {before, new Usage(rs.getLong(1), rs.getLong(2))};
                }
            }
        });
    }

    @Override
    public Map<Address, Usage[]> recalculateAllUsage() {
        return jdbc.inTransaction("recalculate usage", c -> {
            // lock every account first (in id order, like deliveries), then count in a snapshot taken after the locks
            Map<Long, Usage> before = new java.util.HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, messages, bytes FROM accounts ORDER BY id FOR UPDATE");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    before.put(rs.getLong(1), new Usage(rs.getLong(2), rs.getLong(3)));
                }
            }
            Map<Address, Usage[]> result = new java.util.LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("WITH s AS (SELECT account_id, count(*) AS n, sum(size) AS b"
                    + " FROM mailbox_entries GROUP BY account_id),"
                    + " u AS (UPDATE accounts SET messages = coalesce(s.n, 0), bytes = coalesce(s.b, 0)"
                    + "   FROM accounts a LEFT JOIN s ON s.account_id = a.id WHERE accounts.id = a.id"
                    + "   RETURNING accounts.id, accounts.address, accounts.address_key, accounts.messages, accounts.bytes)"
                    + " SELECT id, address, messages, bytes FROM u ORDER BY address_key");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Usage old = before.getOrDefault(rs.getLong(1), Usage.EMPTY);
                    result.put(Address.parse(rs.getString(2)), new Usage[] {old, new Usage(rs.getLong(3), rs.getLong(4))});
                }
            }
            return result;
        });
    }

    @Override
    public void remove(Address address) {
        try {
            jdbc.inTransaction("remove account", c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM accounts WHERE address_key = ? FOR UPDATE")) {
                    ps.setString(1, address.key());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new NotFoundException("no such user: " + address);
                        }
                        removeAccount(c, rs.getLong(1), address.key());
                    }
                }
                return null;
            });
        } finally {
            directoryChanged.run(); // resolutions remembered before this change are void
        }
    }

    /** Removes an account with its mailbox, its lock and the alias of its address, inside a transaction. */
    static void removeAccount(Connection c, long id, String key) throws SQLException {
        StoredContent.deleteEntries(c, id, "true", (ps, i) -> i);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM maildrop_locks WHERE account_id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM aliases WHERE source_key = ?")) {
            ps.setString(1, key);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM accounts WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    static Account account(ResultSet rs) throws SQLException {
        long expire = rs.getLong("pop3_expire_ms");
        boolean expireSet = !rs.wasNull();
        long delay = rs.getLong("pop3_login_delay_ms");
        boolean delaySet = !rs.wasNull();
        Account.Pop3Policy policy = new Account.Pop3Policy(
                expireSet ? Optional.of(Duration.ofMillis(expire)) : Optional.empty(),
                delaySet ? Optional.of(Duration.ofMillis(delay)) : Optional.empty());
        return new Account(rs.getLong("id"), Address.parse(rs.getString("address")), rs.getBoolean("enabled"),
                new Quota(rs.getLong("quota_bytes"), rs.getLong("quota_messages")),
                new Usage(rs.getLong("messages"), rs.getLong("bytes")), Jdbc.getInstant(rs, "created"),
                Jdbc.optionalInstant(rs, "last_login"), rs.getBoolean("apop_set"), policy);
    }
}
