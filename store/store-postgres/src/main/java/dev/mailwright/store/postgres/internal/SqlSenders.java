package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.SenderGrant;
import dev.mailwright.store.Senders;
import dev.mailwright.store.internal.SenderRule;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sender grants in SQL (V11): a grant to an account or to a domain's accounts goes with that
 * account or domain (foreign keys that cascade). The rule itself is the shared {@link SenderRule}.
 */
public final class SqlSenders implements Senders {

    private final Jdbc jdbc;
    private final Clock clock;

    public SqlSenders(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public boolean maySendAs(Address user, Address sender) {
        return jdbc.call("check sender", c -> SqlDirectory.on(c).maySendAs(user, sender));
    }

    @Override
    public SenderGrant grant(String address, String grantee) {
        SenderGrant g = SenderRule.grant(address, grantee);
        return jdbc.inTransaction("grant sender", c -> {
            if (g.address().startsWith("@")) {
                SqlAliases.requireDomain(c, g.address().substring(1));
            }
            Long accountId = null;
            String domain = null;
            if (g.grantee().startsWith("@")) {
                domain = g.grantee().substring(1);
                SqlAliases.requireDomain(c, domain);
            } else {
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM accounts WHERE address_key = ? FOR SHARE")) {
                    ps.setString(1, g.grantee());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new NotFoundException("no such user: " + grantee);
                        }
                        accountId = rs.getLong(1);
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO sender_grants"
                    + " (address_key, grantee_key, account_id, domain, created) VALUES (?, ?, ?, ?, ?)"
                    + " ON CONFLICT (grantee_key, address_key) DO NOTHING")) {
                ps.setString(1, g.address());
                ps.setString(2, g.grantee());
                Jdbc.setLong(ps, 3, accountId);
                ps.setString(4, domain);
                Jdbc.setInstant(ps, 5, clock.instant());
                ps.executeUpdate();
            }
            return g;
        });
    }

    @Override
    public void revoke(String address, String grantee) {
        SenderGrant g = SenderRule.grant(address, grantee);
        jdbc.call("revoke sender", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM sender_grants WHERE grantee_key = ? AND address_key = ?")) {
                ps.setString(1, g.grantee());
                ps.setString(2, g.address());
                if (ps.executeUpdate() == 0) {
                    throw new NotFoundException("no grant of " + address + " to " + grantee);
                }
                return null;
            }
        });
    }

    @Override
    public List<SenderGrant> list(Optional<String> grantee) {
        Optional<String> key = grantee.map(SenderRule::addressKey);
        return jdbc.call("list senders", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT address_key, grantee_key FROM sender_grants"
                    + (key.isPresent() ? " WHERE grantee_key = ?" : "") + " ORDER BY grantee_key, address_key")) {
                if (key.isPresent()) {
                    ps.setString(1, key.get());
                }
                List<SenderGrant> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new SenderGrant(rs.getString(1), rs.getString(2)));
                    }
                }
                return out;
            }
        });
    }
}
