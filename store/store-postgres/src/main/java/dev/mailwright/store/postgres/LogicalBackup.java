package dev.mailwright.store.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mailwright.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * {@code db dump} and {@code db restore}: every row of the Mailwright schema, read in one
 * snapshot with PostgreSQL's binary {@code COPY} through the JDBC driver, into a ZIP file
 * ({@code mailwright-dump.json}, the manifest: schema version, tables, row counts, sequence
 * values; {@code tables/NAME.pgcopy}, one per table). The embedded PostgreSQL's bundle has no
 * {@code pg_dump}, and Debian's is older than the bundled server (which it refuses to dump);
 * the server itself writing and reading its own rows has no version to mismatch. The dump is
 * logical and consistent (one repeatable-read, read-only transaction), so it can be taken while
 * the server runs. A restore goes into a database without Mailwright data (or replaces it with
 * {@code replace}), all in one transaction: the schema is first migrated to the dump's version,
 * the rows are loaded parent tables first, sequences set, then the schema migrated to this
 * build's version.
 */
public final class LogicalBackup {

    static final String FORMAT = "mailwright-dump";
    static final int FORMAT_VERSION = 1;
    private static final String MANIFEST = "mailwright-dump.json";
    private static final String HISTORY = "flyway_schema_history";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a dump holds, or what a restore loaded. */
    public record Summary(String schemaVersion, Map<String, Long> rows) {
        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    private LogicalBackup() {
    }

    /** Writes every table of the schema into {@code file}, which must not exist. */
    public static Summary dump(DataSource dataSource, Path file) {
        if (Files.exists(file)) {
            throw new StoreException(file + " exists; not overwritten");
        }
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = null;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            String version = schemaVersion(c).orElseThrow(() -> new StoreException(
                    "the database has no Mailwright schema; nothing to dump"));
            tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
            Map<String, Long> rows = new LinkedHashMap<>();
            ObjectNode manifest = JSON.createObjectNode();
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                for (String table : tables(c)) {
                    zip.putNextEntry(new ZipEntry("tables/" + table + ".pgcopy"));
                    rows.put(table, copy.copyOut("COPY " + quote(table) + " TO STDOUT (FORMAT binary)", unclosable(zip)));
                    zip.closeEntry();
                }
                manifest.put("format", FORMAT);
                manifest.put("format_version", FORMAT_VERSION);
                manifest.put("schema_version", version);
                manifest.put("created", Instant.now().toString());
                manifest.put("postgresql", c.getMetaData().getDatabaseProductVersion());
                ObjectNode tables = manifest.putObject("tables");
                rows.forEach(tables::put);
                ArrayNode sequences = manifest.putArray("sequences");
                for (Map.Entry<String, long[]> s : sequences(c).entrySet()) {
                    ObjectNode n = sequences.addObject();
                    n.put("name", s.getKey());
                    n.put("last_value", s.getValue()[0]);
                    n.put("is_called", s.getValue()[1] == 1);
                }
                zip.putNextEntry(new ZipEntry(MANIFEST));
                zip.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
                zip.closeEntry();
            }
            c.commit();
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
            return new Summary(version, rows);
        } catch (SQLException e) {
            throw SqlFailure.of("dump failed", e);
        } catch (FileAlreadyExistsException e) {
            throw new StoreException(file + " exists; not overwritten", e);
        } catch (IOException e) {
            throw new StoreException("cannot write " + file + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the failure being reported matters more
                }
            }
        }
    }

    /**
     * Loads {@code file} into the database. Refused while a Mailwright server is connected to
     * it, when the dump is not one, is from a newer build, or when the database already holds
     * Mailwright data and {@code replace} is false.
     */
    public static Summary restore(DataSource dataSource, Path file, boolean replace) {
        JsonNode manifest;
        try (ZipFile zip = new ZipFile(file.toFile())) {
            ZipEntry m = zip.getEntry(MANIFEST);
            if (m == null) {
                throw new StoreException(file + " is not a Mailwright dump (no " + MANIFEST + ")");
            }
            try (InputStream in = zip.getInputStream(m)) {
                manifest = JSON.readTree(in);
            }
            if (!FORMAT.equals(manifest.path("format").asText()) || manifest.path("format_version").asInt() != FORMAT_VERSION) {
                throw new StoreException(file + " is not a Mailwright dump of format " + FORMAT_VERSION);
            }
            String version = manifest.path("schema_version").asText();
            List<String> bundled = SchemaMigrator.BUNDLED_VERSIONS;
            if (!bundled.contains(version)) {
                throw new StoreException(file + " holds schema version " + version + ", which this build does not know"
                        + " (it knows up to " + bundled.get(bundled.size() - 1) + "); restore it with a newer Mailwright");
            }
            Map<String, Long> rows = new LinkedHashMap<>();
            manifest.path("tables").fields().forEachRemaining(e -> rows.put(e.getKey(), e.getValue().asLong()));
            try (Connection c = dataSource.getConnection()) {
                refuseWhileServersAreConnected(c);
                Optional<String> current = schemaVersion(c);
                if (current.isEmpty()) {
                    Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target(version)
                            .cleanDisabled(true).load().migrate();
                } else if (!current.get().equals(version)) {
                    throw new StoreException("the database schema is at version " + current.get() + " and the dump's at "
                            + version + "; restore into an empty database");
                }
                c.setAutoCommit(false);
                List<String> tables = tables(c);
                if (!new HashSet<>(tables).equals(rows.keySet())) {
                    throw new StoreException(file + " does not hold the tables of schema version " + version);
                }
                long present = rowsPresent(c, tables);
                if (present > 0 && !replace) {
                    throw new StoreException("the database already holds Mailwright data (" + present
                            + " rows); restore into an empty database, or give --replace to replace it");
                }
                try (Statement s = c.createStatement()) {
                    s.execute("TRUNCATE " + String.join(", ", tables.stream().map(LogicalBackup::quote).toList())
                            + " RESTART IDENTITY CASCADE");
                }
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                for (String table : parentsFirst(c, tables)) {
                    try (InputStream in = zip.getInputStream(zip.getEntry("tables/" + table + ".pgcopy"))) {
                        long loaded = copy.copyIn("COPY " + quote(table) + " FROM STDIN (FORMAT binary)", in);
                        if (loaded != rows.get(table)) {
                            throw new StoreException(file + ": table " + table + " holds " + loaded + " rows, its manifest "
                                    + rows.get(table));
                        }
                    }
                }
                try (PreparedStatement setval = c.prepareStatement("SELECT setval(?::regclass, ?, ?)")) {
                    for (JsonNode seq : manifest.path("sequences")) {
                        setval.setString(1, quote(seq.path("name").asText()));
                        setval.setLong(2, seq.path("last_value").asLong());
                        setval.setBoolean(3, seq.path("is_called").asBoolean());
                        setval.execute();
                    }
                }
                c.commit();
            }
            new SchemaMigrator(dataSource).migrate();
            return new Summary(version, rows);
        } catch (SQLException e) {
            throw SqlFailure.of("restore failed; nothing restored", e);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw new StoreException("restore failed creating the schema: " + e.getMessage(), e);
        }
    }

    private static void refuseWhileServersAreConnected(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND application_name = '" + PostgresMailStore.APPLICATION_NAME
                + "' AND pid <> pg_backend_pid()")) {
            rs.next();
            if (rs.getLong(1) > 0) {
                throw new StoreException("a Mailwright server is connected to this database (" + rs.getLong(1)
                        + " connection(s)); stop it before restoring");
            }
        }
    }

    private static Optional<String> schemaVersion(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('" + HISTORY + "') IS NOT NULL")) {
            rs.next();
            if (!rs.getBoolean(1)) {
                return Optional.empty();
            }
        }
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM " + HISTORY
                + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1")) {
            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
    }

    /** The schema's tables but Flyway's history, by name. */
    private static List<String> tables(Connection c) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT table_name FROM information_schema.tables"
                + " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '" + HISTORY
                + "' ORDER BY table_name")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    /** Each sequence of the schema: its last value and whether it was called (1) or not (0). */
    private static Map<String, long[]> sequences(Connection c) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() ORDER BY sequencename")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        Map<String, long[]> values = new LinkedHashMap<>();
        for (String name : names) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT last_value, is_called FROM " + quote(name))) {
                rs.next();
                values.put(name, new long[] {rs.getLong(1), rs.getBoolean(2) ? 1 : 0});
            }
        }
        return values;
    }

    private static long rowsPresent(Connection c, List<String> tables) throws SQLException {
        long n = 0;
        for (String table : tables) {
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM (SELECT 1 FROM " + quote(table) + " LIMIT 1) t")) {
                rs.next();
                n += rs.getLong(1);
            }
        }
        return n;
    }

    /** The tables ordered so that every table comes after those its foreign keys refer to. */
    private static List<String> parentsFirst(Connection c, List<String> tables) throws SQLException {
        Map<String, Set<String>> parents = new HashMap<>();
        tables.forEach(t -> parents.put(t, new HashSet<>()));
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT conrelid::regclass::text,"
                + " confrelid::regclass::text FROM pg_constraint WHERE contype = 'f'"
                + " AND connamespace = current_schema()::regnamespace")) {
            while (rs.next()) {
                String child = unquote(rs.getString(1));
                String parent = unquote(rs.getString(2));
                if (parents.containsKey(child) && !child.equals(parent)) {
                    parents.get(child).add(parent);
                }
            }
        }
        List<String> ordered = new ArrayList<>();
        Set<String> done = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>(tables);
        int stuck = 0;
        while (!pending.isEmpty()) {
            String t = pending.poll();
            if (done.containsAll(parents.get(t))) {
                ordered.add(t);
                done.add(t);
                stuck = 0;
            } else {
                pending.add(t);
                if (++stuck > pending.size()) {
                    throw new StoreException("foreign keys form a cycle among " + pending);
                }
            }
        }
        return ordered;
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    private static String unquote(String regclass) {
        return regclass.startsWith("\"") ? regclass.substring(1, regclass.length() - 1).replace("\"\"", "\"") : regclass;
    }

    private static OutputStream unclosable(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** SQL failures: unavailable when the connection went, else the database's message. */
    private static final class SqlFailure {
        static StoreException of(String what, SQLException e) {
            String state = e.getSQLState() == null ? "" : e.getSQLState();
            if (state.startsWith("08") || state.startsWith("57P")) {
                return new dev.mailwright.store.StoreUnavailableException(what + ": database unavailable", e);
            }
            return new StoreException(what + ": " + e.getMessage(), e);
        }
    }
}
