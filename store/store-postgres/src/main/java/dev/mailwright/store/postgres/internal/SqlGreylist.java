package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Greylist;
import dev.mailwright.store.internal.GreylistRule;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Greylisting triplets in {@code greylist} (V13). An attempt is one transaction: a new triplet is
 * inserted ({@code ON CONFLICT DO NOTHING}, so nodes that see it at once agree it is new);
 * otherwise its row is locked, {@link GreylistRule} decides, and the row is updated.
 */
public final class SqlGreylist implements Greylist {

    private final Jdbc jdbc;
    private final Clock clock;

    public SqlGreylist(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public Outcome attempt(String network, String sender, String recipient, Rules rules) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS); // what PostgreSQL keeps
        return jdbc.inTransaction("greylist attempt", c -> {
            GreylistRule.Step fresh = GreylistRule.attempt(null, now, rules);
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO greylist (network, sender, recipient, "
                    + "first_seen, passed, expires) VALUES (?, ?, ?, ?, NULL, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, network);
                ps.setString(2, sender);
                ps.setString(3, recipient);
                Jdbc.setInstant(ps, 4, fresh.entry().firstSeen());
                Jdbc.setInstant(ps, 5, fresh.entry().expires());
                if (ps.executeUpdate() == 1) {
                    return fresh.outcome();
                }
            }
            GreylistRule.Entry current;
            try (PreparedStatement ps = c.prepareStatement("SELECT first_seen, passed, expires FROM greylist "
                    + "WHERE network = ? AND sender = ? AND recipient = ? FOR UPDATE")) {
                ps.setString(1, network);
                ps.setString(2, sender);
                ps.setString(3, recipient);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    current = new GreylistRule.Entry(Jdbc.getInstant(rs, "first_seen"), Jdbc.getInstant(rs, "passed"),
                            Jdbc.getInstant(rs, "expires"));
                }
            }
            GreylistRule.Step step = GreylistRule.attempt(current, now, rules);
            if (!step.entry().equals(current)) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE greylist SET first_seen = ?, passed = ?, "
                        + "expires = ? WHERE network = ? AND sender = ? AND recipient = ?")) {
                    Jdbc.setInstant(ps, 1, step.entry().firstSeen());
                    Jdbc.setInstant(ps, 2, step.entry().passed());
                    Jdbc.setInstant(ps, 3, step.entry().expires());
                    ps.setString(4, network);
                    ps.setString(5, sender);
                    ps.setString(6, recipient);
                    ps.executeUpdate();
                }
            }
            return step.outcome();
        });
    }

    @Override
    public int expire() {
        Instant now = clock.instant();
        return jdbc.call("greylist expiry", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM greylist WHERE expires <= ?")) {
                Jdbc.setInstant(ps, 1, now);
                return ps.executeUpdate();
            }
        });
    }
}
