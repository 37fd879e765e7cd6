package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.DkimKeys;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.NotFoundException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** DKIM signing keys in SQL. */
public final class SqlDkimKeys implements DkimKeys {

    private static final String COLUMNS = "domain, selector, algorithm, private_key, created";

    private final Jdbc jdbc;
    private final Clock clock;

    public SqlDkimKeys(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public DkimKey add(String domain, String selector, DkimKey.Algorithm algorithm, byte[] pkcs8PrivateKey) {
        DkimKey key = new DkimKey(domain, selector, algorithm, pkcs8PrivateKey, clock.instant());
        try {
            return jdbc.call("add DKIM key", c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO dkim_keys (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?)")) {
                    ps.setString(1, key.domain());
                    ps.setString(2, key.selector());
                    ps.setString(3, key.algorithm().name());
                    ps.setBytes(4, key.privateKey());
                    Jdbc.setInstant(ps, 5, key.created());
                    ps.executeUpdate();
                    return key;
                }
            });
        } catch (AlreadyExistsException e) {
            throw new AlreadyExistsException("DKIM key exists: " + key.selector() + "._domainkey." + key.domain());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("unknown domain: " + key.domain());
        }
    }

    @Override
    public Optional<DkimKey> signingKey(String domain) {
        String d = Address.parseDomain(domain);
        return jdbc.call("find DKIM key", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM dkim_keys WHERE domain = ? ORDER BY created DESC, selector DESC LIMIT 1")) {
                ps.setString(1, d);
                return readAll(ps).stream().findFirst();
            }
        });
    }

    @Override
    public List<DkimKey> list() {
        return jdbc.call("list DKIM keys", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS
                    + " FROM dkim_keys ORDER BY domain, selector")) {
                return readAll(ps);
            }
        });
    }

    @Override
    public void remove(String domain, String selector) {
        String d = Address.parseDomain(domain);
        jdbc.call("remove DKIM key", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM dkim_keys WHERE domain = ? AND selector = ?")) {
                ps.setString(1, d);
                ps.setString(2, selector);
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("no DKIM key " + selector + "._domainkey." + d);
                }
                return null;
            }
        });
    }

    private static List<DkimKey> readAll(PreparedStatement ps) throws SQLException {
        List<DkimKey> keys = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(new DkimKey(rs.getString("domain"), rs.getString("selector"),
                        DkimKey.Algorithm.valueOf(rs.getString("algorithm")), rs.getBytes("private_key"),
                        Jdbc.getInstant(rs, "created")));
            }
        }
        return keys;
    }
}
