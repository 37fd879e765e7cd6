package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.TlsReports;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * TLS report counters in {@code tls_report_counts} and claims in {@code tls_reports_sent} (V14):
 * counts added in one statement, summed by key first so that a batch may name a key twice.
 */
public final class SqlTlsReports implements TlsReports {

    private final Jdbc jdbc;
    private final Clock clock;

    public SqlTlsReports(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public void add(Collection<Count> counts) {
        if (counts.isEmpty()) {
            return;
        }
        List<Count> list = List.copyOf(counts);
        jdbc.atomically("add TLS report counts", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    INSERT INTO tls_report_counts (day, policy_domain, policy_type, policy, result_type, receiving_mx, sessions)
                    SELECT t.day, t.domain, t.type, t.policy, t.result, t.mx, sum(t.n)
                    FROM unnest(?::date[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::bigint[])
                         AS t(day, domain, type, policy, result, mx, n)
                    GROUP BY t.day, t.domain, t.type, t.policy, t.result, t.mx
                    ON CONFLICT (day, policy_domain, policy_type, md5(policy), result_type, receiving_mx)
                    DO UPDATE SET sessions = tls_report_counts.sessions + EXCLUDED.sessions
                    """)) {
                ps.setArray(1, c.createArrayOf("date", list.stream().map(x -> Date.valueOf(x.day())).toArray()));
                ps.setArray(2, c.createArrayOf("text", list.stream().map(Count::policyDomain).toArray()));
                ps.setArray(3, c.createArrayOf("text", list.stream().map(Count::policyType).toArray()));
                ps.setArray(4, c.createArrayOf("text", list.stream().map(Count::policy).toArray()));
                ps.setArray(5, c.createArrayOf("text", list.stream().map(Count::resultType).toArray()));
                ps.setArray(6, c.createArrayOf("text", list.stream().map(Count::receivingMx).toArray()));
                ps.setArray(7, c.createArrayOf("bigint", list.stream().map(Count::sessions).toArray()));
                ps.executeUpdate();
            }
            return null;
        });
    }

    @Override
    public List<String> unreported(LocalDate day) {
        return jdbc.call("list TLS reports due", c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    SELECT DISTINCT t.policy_domain FROM tls_report_counts t
                    WHERE t.day = ? AND NOT EXISTS (SELECT 1 FROM tls_reports_sent s
                                                    WHERE s.day = t.day AND s.policy_domain = t.policy_domain)
                    ORDER BY 1
                    """)) {
                ps.setDate(1, Date.valueOf(day));
                List<String> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean claim(LocalDate day, String domain) {
        return jdbc.call("claim a TLS report", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO tls_reports_sent (day, policy_domain, claimed)"
                    + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setDate(1, Date.valueOf(day));
                ps.setString(2, domain);
                Jdbc.setInstant(ps, 3, clock.instant());
                return ps.executeUpdate() == 1;
            }
        });
    }

    @Override
    public List<Count> counts(LocalDate day, String domain) {
        return counts(day, domain, " AND policy_domain = ?");
    }

    @Override
    public List<Count> counts(LocalDate day) {
        return counts(day, null, "");
    }

    private List<Count> counts(LocalDate day, String domain, String condition) {
        return jdbc.call("read TLS report counts", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT policy_domain, policy_type, policy, result_type,"
                    + " receiving_mx, sessions FROM tls_report_counts WHERE day = ?" + condition
                    + " ORDER BY policy_domain, policy_type, policy, result_type, receiving_mx")) {
                ps.setDate(1, Date.valueOf(day));
                if (domain != null) {
                    ps.setString(2, domain);
                }
                List<Count> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Count(day, rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getLong(6)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public void purgeBefore(LocalDate day) {
        jdbc.call("purge TLS report counts", c -> {
            try (PreparedStatement a = c.prepareStatement("DELETE FROM tls_report_counts WHERE day < ?");
                 PreparedStatement b = c.prepareStatement("DELETE FROM tls_reports_sent WHERE day < ?")) {
                a.setDate(1, Date.valueOf(day));
                a.executeUpdate();
                b.setDate(1, Date.valueOf(day));
                b.executeUpdate();
            }
            return null;
        });
    }
}
