package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Secrets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;

/**
 * Shared secrets in {@code server_secrets} (V12): the first insert under a name wins
 * ({@code ON CONFLICT DO NOTHING}), then everyone reads it.
 */
public final class SqlSecrets implements Secrets {

    private final Jdbc jdbc;
    private final Clock clock;

    public SqlSecrets(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public byte[] getOrCreate(String name, byte[] candidate) {
        return jdbc.call("get or create secret", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO server_secrets (name, secret, created) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, name);
                ps.setBytes(2, candidate);
                Jdbc.setInstant(ps, 3, clock.instant());
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT secret FROM server_secrets WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getBytes(1);
                }
            }
        });
    }
}
