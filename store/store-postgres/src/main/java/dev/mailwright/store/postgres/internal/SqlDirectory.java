package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.Quota;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.Usage;
import dev.mailwright.store.internal.RecipientResolver;
import dev.mailwright.store.internal.SenderRule;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lookups of one recipient resolution, on one connection, each remembered for the rest of
 * that resolution. {@link #resolve} first asks in one statement everything the common case
 * needs (is the domain ours, an alias for the exact address, the account with its usage and
 * quota), so that a plain mailbox costs one round trip; sub-addresses, catch-alls and alias
 * chains look up what they need next.
 */
final class SqlDirectory implements RecipientResolver.Directory {

    /** An account found during resolution, with its counters as read then. */
    record Mailbox(LocalRecipient recipient, Usage usage, Quota quota) {
    }

    private static final String ACCOUNT_COLUMNS = "id, address, messages, bytes, quota_bytes, quota_messages";

    private final Connection c;
    private final Map<String, Boolean> domains = new HashMap<>();
    private final Map<String, List<Address>> aliases = new HashMap<>();
    private final Map<String, Optional<Mailbox>> accountsByKey = new HashMap<>();
    private final Map<Long, Mailbox> accountsById = new HashMap<>();

    private SqlDirectory(Connection c) {
        this.c = c;
    }

    /** Resolves {@code recipient} on {@code c}; the directory is kept for {@link #mailbox(long)}. */
    static SqlDirectory on(Connection c) {
        return new SqlDirectory(c);
    }

    Resolution resolve(Address recipient) throws SQLException {
        prefetch(recipient);
        try {
            return RecipientResolver.resolve(this, recipient);
        } catch (SqlFailure e) {
            throw e.sqlException();
        }
    }

    /** The sender rule of {@link dev.mailwright.store.Senders} on this connection. */
    boolean maySendAs(Address user, Address sender) throws SQLException {
        try {
            return SenderRule.maySendAs(this, this::granted, user, sender);
        } catch (SqlFailure e) {
            throw e.sqlException();
        }
    }

    /** An account met while resolving, with its counters. */
    Mailbox mailbox(long accountId) {
        Mailbox mailbox = accountsById.get(accountId);
        if (mailbox == null) {
            throw new IllegalStateException("account " + accountId + " was not met in this resolution");
        }
        return mailbox;
    }

    private void prefetch(Address recipient) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM domains WHERE name = ?),"
                + " (SELECT targets FROM aliases WHERE source_key = ?), a." + ACCOUNT_COLUMNS.replace(", ", ", a.")
                + " FROM (SELECT 1) AS one LEFT JOIN accounts a ON a.address_key = ?")) {
            ps.setString(1, recipient.domainKey());
            ps.setString(2, recipient.key());
            ps.setString(3, recipient.key());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                domains.put(recipient.domainKey(), rs.getBoolean(1));
                Array targets = rs.getArray(2);
                aliases.put(recipient.key(), targets == null ? List.of() : SqlAliases.targets(targets));
                rs.getLong(3);
                accountsByKey.put(recipient.key(), rs.wasNull() ? Optional.empty() : Optional.of(mailbox(rs, 3)));
            }
        }
    }

    @Override
    public boolean isLocalDomain(String domain) {
        return domains.computeIfAbsent(domain, d -> query("SELECT 1 FROM domains WHERE name = ?", d, ResultSet::next));
    }

    @Override
    public Optional<LocalRecipient> account(String key) {
        return accountsByKey.computeIfAbsent(key, k -> query(
                        "SELECT " + ACCOUNT_COLUMNS + " FROM accounts WHERE address_key = ?", k,
                        rs -> rs.next() ? Optional.of(mailbox(rs, 1)) : Optional.empty()))
                .map(Mailbox::recipient);
    }

    @Override
    public List<Address> aliasTargets(String key) {
        return aliases.computeIfAbsent(key, k -> query("SELECT targets FROM aliases WHERE source_key = ?", k,
                rs -> rs.next() ? SqlAliases.targets(rs.getArray(1)) : List.of()));
    }

    private Mailbox mailbox(ResultSet rs, int first) throws SQLException {
        Mailbox mailbox = new Mailbox(
                new LocalRecipient(rs.getLong(first), Address.parse(rs.getString(first + 1))),
                new Usage(rs.getLong(first + 2), rs.getLong(first + 3)),
                new Quota(rs.getLong(first + 4), rs.getLong(first + 5)));
        accountsById.put(mailbox.recipient().accountId(), mailbox);
        return mailbox;
    }

    private interface Reader<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private <T> T query(String sql, String value, Reader<T> reader) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return reader.read(rs);
            }
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    private boolean granted(List<String> addressKeys, List<String> granteeKeys) {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM sender_grants WHERE address_key = ANY (?) AND grantee_key = ANY (?) LIMIT 1")) {
            ps.setArray(1, c.createArrayOf("text", addressKeys.toArray()));
            ps.setArray(2, c.createArrayOf("text", granteeKeys.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new SqlFailure(e);
        }
    }

    /** Carries an SQLException through the resolver, which knows nothing of JDBC. */
    private static final class SqlFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlFailure(SQLException cause) {
            super(cause);
        }

        SQLException sqlException() {
            return (SQLException) getCause();
        }
    }
}
