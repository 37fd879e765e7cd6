package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.internal.RecipientResolver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;

/**
 * Recipient resolution with the shared {@link RecipientResolver} over PostgreSQL
 * ({@link SqlDirectory}); one resolution uses one connection for all its lookups, and one
 * round trip for a plain mailbox.
 */
public final class SqlRecipients implements Recipients {

    private final Jdbc jdbc;

    public SqlRecipients(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Resolution resolve(Address recipient) {
        return jdbc.call("resolve recipient", c -> SqlDirectory.on(c).resolve(recipient));
    }

    @Override
    public boolean isLocalDomain(String domain) {
        String d;
        try {
            d = Address.parseDomain(domain);
        } catch (InvalidInputException e) {
            return false;
        }
        return jdbc.call("check domain", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM domains WHERE name = ?")) {
                ps.setString(1, d);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }
}
