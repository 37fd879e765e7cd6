package db.migration;

import dev.mailwright.store.Address;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Internationalised domain names stored as typed ({@code bücher.example}) become A-labels
 * ({@code xn--bcher-kva.example}), as {@link Address#parseDomain} now gives them: the domain row,
 * its accounts' domain and lookup keys, its aliases' domain and keys, its DKIM keys. Addresses
 * and alias sources keep the form they were created in. In Java, for PostgreSQL has no IDNA.
 */
public class V10__idn_domains_as_a_labels extends BaseJavaMigration {

    @Override
    public void migrate(Context context) throws SQLException {
        Connection c = context.getConnection();
        List<String> typed = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT name FROM domains WHERE name !~ '^[\\x01-\\x7f]*$'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                typed.add(rs.getString(1));
            }
        }
        for (String name : typed) {
            String ascii = Address.parseDomain(name);
            update(c, "INSERT INTO domains (name, created) SELECT ?, created FROM domains WHERE name = ?", ascii, name);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, address FROM accounts WHERE domain = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        try (PreparedStatement u = c.prepareStatement(
                                "UPDATE accounts SET domain = ?, address_key = ? WHERE id = ?")) {
                            u.setString(1, ascii);
                            u.setString(2, Address.parse(rs.getString(2)).key());
                            u.setLong(3, rs.getLong(1));
                            u.executeUpdate();
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT source_key, source FROM aliases WHERE domain = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String source = rs.getString(2);
                        String key = source.startsWith("@") ? "@" + ascii : Address.parse(source).key();
                        try (PreparedStatement u = c.prepareStatement(
                                "UPDATE aliases SET domain = ?, source_key = ?, source = ? WHERE source_key = ?")) {
                            u.setString(1, ascii);
                            u.setString(2, key);
                            u.setString(3, source.startsWith("@") ? key : source);
                            u.setString(4, rs.getString(1));
                            u.executeUpdate();
                        }
                    }
                }
            }
            update(c, "UPDATE dkim_keys SET domain = ? WHERE domain = ?", ascii, name);
            update(c, "DELETE FROM domains WHERE name = ?", name);
        }
    }

    private static void update(Connection c, String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }
}
