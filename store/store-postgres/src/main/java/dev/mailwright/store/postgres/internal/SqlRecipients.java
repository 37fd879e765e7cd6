package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.internal.RecipientResolver;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Recipient resolution with the shared {@link RecipientResolver} over a directory that reads
 * PostgreSQL; one resolution uses one connection for all its lookups.
 */
public final class SqlRecipients implements Recipients {

    private final Jdbc jdbc;

    public SqlRecipients(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Resolution resolve(Address recipient) {
        try {
            return jdbc.call("resolve recipient", c -> RecipientResolver.resolve(new Directory(c), recipient));
        } catch (SqlFailure e) {
            throw SqlErrors.map(e.sqlException(), "resolve recipient");
        }
    }

    @Override
    public boolean isLocalDomain(String domain) {
        try {
            return jdbc.call("check domain", c -> new Directory(c).isLocalDomain(domain));
        } catch (SqlFailure e) {
            throw SqlErrors.map(e.sqlException(), "check domain");
        }
    }

    /** The resolver's lookups on one connection; SQL failures leave as unchecked and are mapped outside. */
    private static final class Directory implements RecipientResolver.Directory {
        private final Connection c;

        Directory(Connection c) {
            this.c = c;
        }

        @Override
        public boolean isLocalDomain(String domain) {
            return query("SELECT 1 FROM domains WHERE name = ?", domain, rs -> rs.next());
        }

        @Override
        public Optional<LocalRecipient> account(String key) {
            return query("SELECT id, address FROM accounts WHERE address_key = ?", key, rs -> rs.next()
                    ? Optional.of(new LocalRecipient(rs.getLong(1), Address.parse(rs.getString(2))))
                    : Optional.empty());
        }

        @Override
        public List<Address> aliasTargets(String key) {
            return query("SELECT targets FROM aliases WHERE source_key = ?", key, rs -> rs.next()
                    ? SqlAliases.targets(rs.getArray(1)) : List.of());
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
