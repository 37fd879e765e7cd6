package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.Alias;
import dev.mailwright.store.Aliases;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.internal.AliasLoops;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Aliases in SQL: one row per source, its targets as an ordered array of addresses. */
public final class SqlAliases implements Aliases {

    /** The advisory lock key that serialises alias additions (for the loop check). */
    private static final long ALIAS_CHANGES = 0x616c696173L; // "alias"

    private final Jdbc jdbc;
    private final Runnable directoryChanged;

    /** @param directoryChanged run after every change that recipient resolution could see */
    public SqlAliases(Jdbc jdbc, Runnable directoryChanged) {
        this.directoryChanged = directoryChanged;
        this.jdbc = jdbc;
    }

    /** The lookup key of an alias source: an address key, or {@code @domain}. */
    static String sourceKey(String source) {
        if (source == null || source.isBlank()) {
            throw new InvalidInputException("malformed alias: empty source");
        }
        return source.startsWith("@") ? "@" + Address.parseDomain(source.substring(1)) : Address.parse(source).key();
    }

    private static String domainOf(String key) {
        return key.substring(key.lastIndexOf('@') + 1);
    }

    /** {@link InvalidInputException} unless {@code domain} is ours; holds it (FOR SHARE) to the end of the transaction. */
    static void requireDomain(Connection c, String domain) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM domains WHERE name = ? FOR SHARE")) {
            ps.setString(1, domain);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new InvalidInputException("unknown domain: " + domain);
                }
            }
        }
    }

    @Override
    public Alias add(String source, List<Address> targets) {
        if (targets.isEmpty()) {
            throw new InvalidInputException("an alias needs at least one target");
        }
        String key = sourceKey(source);
        String display = source.startsWith("@") ? key : Address.parse(source).toString();
        try {
            return jdbc.inTransaction("add alias", c -> {
                requireDomain(c, domainOf(key));
                // one alias change at a time: two that each close half of a loop cannot both pass the check
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(" + ALIAS_CHANGES + ")")) {
                    ps.executeQuery().close();
                }
                try {
                    AliasLoops.refuse(key, targets, k -> {
                        try {
                            return targetsOf(c, k);
                        } catch (SQLException e) {
                            throw new LookupFailed(e);
                        }
                    });
                } catch (LookupFailed e) {
                    throw e.sql; // for the transaction's own handling (retry, StoreUnavailableException)
                }
                Optional<Alias> existing = lock(c, key);
                List<Address> merged = new ArrayList<>(existing.map(Alias::targets).orElse(List.of()));
                for (Address t : targets) {
                    if (merged.stream().noneMatch(m -> m.key().equals(t.key()))) {
                        merged.add(t);
                    }
                }
                String shown = existing.map(Alias::source).orElse(display);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO aliases (source_key, source, domain, targets)"
                        + " VALUES (?, ?, ?, ?) ON CONFLICT (source_key) DO UPDATE SET targets = excluded.targets")) {
                    ps.setString(1, key);
                    ps.setString(2, shown);
                    ps.setString(3, domainOf(key));
                    ps.setArray(4, c.createArrayOf("text", merged.stream().map(Address::toString).toArray()));
                    ps.executeUpdate();
                }
                return new Alias(shown, merged);
            });
        } finally {
            directoryChanged.run(); // resolutions remembered before this change are void
        }
    }

    /** Carries an SQLException through the loop check's lookup function. */
    private static final class LookupFailed extends RuntimeException {
        final SQLException sql;

        LookupFailed(SQLException sql) {
            super(sql);
            this.sql = sql;
        }
    }

    private static List<Address> targetsOf(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT targets FROM aliases WHERE source_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? targets(rs.getArray(1)) : List.of();
            }
        }
    }

    private static Optional<Alias> lock(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT source, targets FROM aliases WHERE source_key = ? FOR UPDATE")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(alias(rs)) : Optional.empty();
            }
        }
    }

    @Override
    public void remove(String source, Optional<Address> target) {
        String key = sourceKey(source);
        try {
            jdbc.inTransaction("remove alias", c -> {
                requireDomain(c, domainOf(key));
                Alias alias = lock(c, key).orElseThrow(() -> new NotFoundException("no such alias: " + source));
                List<Address> rest = target.isEmpty() ? List.of() : alias.targets().stream()
                        .filter(t -> !t.key().equals(target.get().key())).toList();
                if (target.isPresent() && rest.size() == alias.targets().size()) {
                    throw new NotFoundException("alias " + source + " has no target " + target.get());
                }
                if (rest.isEmpty()) {
                    try (PreparedStatement ps = c.prepareStatement("DELETE FROM aliases WHERE source_key = ?")) {
                        ps.setString(1, key);
                        ps.executeUpdate();
                    }
                } else {
                    try (PreparedStatement ps = c.prepareStatement("UPDATE aliases SET targets = ? WHERE source_key = ?")) {
                        ps.setArray(1, c.createArrayOf("text", rest.stream().map(Address::toString).toArray()));
                        ps.setString(2, key);
                        ps.executeUpdate();
                    }
                }
                return null;
            });
        } finally {
            directoryChanged.run(); // resolutions remembered before this change are void
        }
    }

    @Override
    public List<Alias> list(Optional<String> domain) {
        Optional<String> d = domain.map(Address::parseDomain);
        return jdbc.call("list aliases", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT source, targets FROM aliases"
                    + (d.isPresent() ? " WHERE domain = ?" : "") + " ORDER BY source_key")) {
                if (d.isPresent()) {
                    ps.setString(1, d.get());
                }
                List<Alias> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(alias(rs));
                    }
                }
                return out;
            }
        });
    }

    static List<Address> targets(Array array) throws SQLException {
        List<Address> out = new ArrayList<>();
        for (Object o : (Object[]) array.getArray()) {
            out.add(Address.parse((String) o));
        }
        return out;
    }

    private static Alias alias(ResultSet rs) throws SQLException {
        return new Alias(rs.getString(1), targets(rs.getArray(2)));
    }
}
