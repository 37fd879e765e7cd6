package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.postgres.embedded.EmbeddedPostgresLauncher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An admin command against a cluster that runs already (the server's) does its work over one
 * plain connection: no pool and its threads, no migration; a schema of another build is refused
 * in one line, exit 2, and left as it was (ADR 0022).
 */
class CommandDatabaseTest {

    @TempDir
    static Path dataDir;
    private static Map<String, String> env;
    private static EmbeddedPostgresLauncher running;

    @BeforeAll
    static void installation() throws Exception {
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        env = new HashMap<>();
        env.put("MAILWRIGHT_HOME", dataDir.toString());
        env.put("MAILWRIGHT_DATABASE_EMBEDDED_PORT", Integer.toString(port));
        running = EmbeddedPostgresLauncher.start(dataDir.resolve("postgres"), port); // the server's part
        assertThat(run("db", "migrate").exit()).isZero();
        assertThat(run("domain", "add", "example.org").exit()).isZero();
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8),
                new ByteArrayInputStream(new byte[0]), env);
        return new Result(exit, out.toString(UTF_8), err.toString(UTF_8));
    }

    private static Connection asServer() throws SQLException {
        return running.dataSource(Database.EMBEDDED_DATABASE).getConnection();
    }

    private static long count(String sql) throws SQLException {
        try (Connection c = asServer(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static boolean poolThreadsRun() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive()
                && (t.getName().contains("housekeeper") || t.getName().contains("connection adder")));
    }

    @Test
    void aCommandWorksOverOneConnectionWithoutAPool() throws Exception {
        LauncherAdminContext context = new LauncherAdminContext(ConfigLoader.load(Optional.empty(), env), "test");
        try (MailStore store = context.openStore()) {
            assertThat(store.domains().exists("example.org")).isTrue();
            assertThat(store.accounts().list(Optional.empty())).isEmpty();
            assertThat(store.domains().list()).hasSize(1);
            assertThat(count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                    + Database.COMMAND_APPLICATION_NAME + "'")).as("one backend for all of the command's work").isEqualTo(1);
            assertThat(poolThreadsRun()).as("no connection pool threads").isFalse();
        }
        assertThat(count("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                + Database.COMMAND_APPLICATION_NAME + "'")).as("closed with the store").isZero();
    }

    @Test
    void aSchemaThatNeedsMigrationIsRefusedAndLeftAlone() throws Exception {
        String newest;
        try (Connection c = asServer(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT max(installed_rank) FROM flyway_schema_history")) {
            rs.next();
            newest = rs.getString(1);
        }
        try (Connection c = asServer(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE saved_history AS SELECT * FROM flyway_schema_history WHERE installed_rank = " + newest);
            s.execute("DELETE FROM flyway_schema_history WHERE installed_rank = " + newest);
        }
        try {
            Result r = run("domain", "list");
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().strip()).doesNotContain("\n").startsWith("error: ")
                    .endsWith("database schema needs 1 migration(s); run db migrate");
            assertThat(count("SELECT count(*) FROM flyway_schema_history WHERE installed_rank = " + newest))
                    .as("not migrated by the command").isZero();
        } finally {
            try (Connection c = asServer(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO flyway_schema_history SELECT * FROM saved_history");
                s.execute("DROP TABLE saved_history");
            }
        }
        assertThat(run("domain", "list").exit()).isZero();
    }

    @Test
    void aSchemaOfANewerBuildIsRefused() throws Exception {
        try (Connection c = asServer(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO flyway_schema_history (installed_rank, version, description, type, script,"
                    + " checksum, installed_by, execution_time, success) VALUES (999, '999', 'from the future', 'SQL',"
                    + " 'V999__from_the_future.sql', 1, 'test', 1, true)");
        }
        try {
            Result r = run("user", "list");
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().strip()).doesNotContain("\n").startsWith("error: ")
                    .contains("is newer than this build knows").endsWith("upgrade Mailwright");
        } finally {
            try (Connection c = asServer(); Statement s = c.createStatement()) {
                s.execute("DELETE FROM flyway_schema_history WHERE installed_rank = 999");
            }
        }
    }
}
