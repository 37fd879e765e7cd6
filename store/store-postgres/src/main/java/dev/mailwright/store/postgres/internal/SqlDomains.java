package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.Domain;
import dev.mailwright.store.Domains;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.NotFoundException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Domains in SQL. */
public final class SqlDomains implements Domains {

    private final Jdbc jdbc;
    private final Clock clock;
    private final Runnable directoryChanged;

    /** @param directoryChanged run after every change that recipient resolution could see */
    public SqlDomains(Jdbc jdbc, Clock clock, Runnable directoryChanged) {
        this.directoryChanged = directoryChanged;
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public Domain add(String name) {
        String domain = Address.parseDomain(name);
        Instant now = clock.instant();
        try {
            try {
                return jdbc.call("add domain", c -> {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO domains (name, created) VALUES (?, ?)")) {
                        ps.setString(1, domain);
                        Jdbc.setInstant(ps, 2, now);
                        ps.executeUpdate();
                        return new Domain(domain, now);
                    }
                });
            } finally {
                directoryChanged.run(); // resolutions remembered before this change are void
            }
        } catch (AlreadyExistsException e) {
            throw new AlreadyExistsException("domain exists: " + domain);
        }
    }

    @Override
    public List<Domain> list() {
        return jdbc.call("list domains", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT name, created FROM domains ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                List<Domain> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new Domain(rs.getString(1), Jdbc.getInstant(rs, "created")));
                }
                return out;
            }
        });
    }

    @Override
    public boolean exists(String name) {
        String domain = Address.parseDomain(name);
        return jdbc.call("check domain", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM domains WHERE name = ?")) {
                ps.setString(1, domain);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void remove(String name, boolean force) {
        String domain = Address.parseDomain(name);
        try {
            jdbc.inTransaction("remove domain", c -> {
                try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM domains WHERE name = ? FOR UPDATE")) {
                    ps.setString(1, domain);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new NotFoundException("no such domain: " + domain);
                        }
                    }
                }
                Map<Long, String> accounts = new LinkedHashMap<>();
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT id, address_key FROM accounts WHERE domain = ? ORDER BY id FOR UPDATE")) {
                    ps.setString(1, domain);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            accounts.put(rs.getLong(1), rs.getString(2));
                        }
                    }
                }
                int aliases;
                try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM aliases WHERE domain = ?")) {
                    ps.setString(1, domain);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        aliases = rs.getInt(1);
                    }
                }
                if (!force && (!accounts.isEmpty() || aliases > 0)) {
                    throw new InvalidInputException("domain " + domain + " still has " + accounts.size()
                            + " account(s) and " + aliases + " alias(es); remove them or force");
                }
                for (Map.Entry<Long, String> a : accounts.entrySet()) {
                    SqlAccounts.removeAccount(c, a.getKey(), a.getValue());
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM aliases WHERE domain = ?")) {
                    ps.setString(1, domain);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM domains WHERE name = ?")) {
                    ps.setString(1, domain);
                    ps.executeUpdate();
                }
                return null;
            });
        } finally {
            directoryChanged.run(); // resolutions remembered before this change are void
        }
    }
}
