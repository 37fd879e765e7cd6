package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.RateCounters;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;

/**
 * Counters in {@code rate_counters} (V13): adding is one upsert whose update only happens while
 * the sum stays within the limit, so nodes counting at once never pass it together.
 */
public final class SqlRateCounters implements RateCounters {

    private static final String ADD = """
            INSERT INTO rate_counters AS r (key, window_start, count) VALUES (?, ?, ?)
            ON CONFLICT (key, window_start) DO UPDATE SET count = r.count + EXCLUDED.count
              WHERE r.count + EXCLUDED.count <= ?
            RETURNING count""";

    private final Jdbc jdbc;

    public SqlRateCounters(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Result add(String key, Instant window, int amount, long limit) {
        return jdbc.atomically("rate counter", c -> {
            if (amount <= limit) {
                try (PreparedStatement ps = c.prepareStatement(ADD)) {
                    ps.setString(1, key);
                    Jdbc.setInstant(ps, 2, window);
                    ps.setLong(3, amount);
                    ps.setLong(4, limit);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return new Result(true, rs.getLong(1));
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT count FROM rate_counters WHERE key = ? AND window_start = ?")) {
                ps.setString(1, key);
                Jdbc.setInstant(ps, 2, window);
                try (ResultSet rs = ps.executeQuery()) {
                    return new Result(false, rs.next() ? rs.getLong(1) : 0);
                }
            }
        });
    }

    @Override
    public int expire(Instant before) {
        return jdbc.call("rate counter expiry", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM rate_counters WHERE window_start < ?")) {
                Jdbc.setInstant(ps, 1, before);
                return ps.executeUpdate();
            }
        });
    }
}
