package dev.mailwright.store.postgres.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresLauncherTest {

    private Path base;
    private int port;

    @BeforeEach
    void makeDirectory() throws IOException {
        base = Files.createTempDirectory("mailwright-launcher-test");
        // when the tests run as root, PostgreSQL runs as an unprivileged user that must get in
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void dataSurvivesAStopAndAStart() throws SQLException {
        Path data = base.resolve("postgres");
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(pg.startedHere()).isTrue();
            assertThat(pg.jdbcUrl("postgres")).startsWith("jdbc:postgresql://127.0.0.1:" + port + "/");
            execute(pg, "CREATE TABLE kept (v text)");
            execute(pg, "INSERT INTO kept VALUES ('still here')");
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();

        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(pg.startedHere()).isTrue();
            assertThat(query(pg, "SELECT v FROM kept")).isEqualTo("still here");
        }
    }

    @Test
    void unpackedBinariesAreFoundByTheIndexAndAStaleIndexIsRepaired() throws Exception {
        Path unpacked = Path.of(System.getProperty("java.io.tmpdir"), "mailwright-postgres");
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(base.resolve("postgres"), port)) {
            assertThat(pg.startedHere()).isTrue();
        }
        // the binaries of this classpath (a plain jar in the local Maven repository) have an index
        Path index = EmbeddedPostgresLauncher.indexFile().orElseThrow();
        assertThat(unpacked.resolve(Files.readString(index).trim()).resolve(".complete")).exists();
        Files.writeString(index, "pg-gone\n"); // names binaries that are not there (any more)
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(base.resolve("postgres"), port)) {
            assertThat(query(pg, "SELECT 'up'")).isEqualTo("up");
        }
        assertThat(unpacked.resolve(Files.readString(index).trim()).resolve(".complete")).exists();
    }

    @Test
    void secondLauncherJoinsTheRunningClusterAndLeavesItRunning() throws SQLException {
        Path data = base.resolve("postgres");
        try (EmbeddedPostgresLauncher first = EmbeddedPostgresLauncher.start(data, port)) {
            execute(first, "CREATE TABLE shared (v int)");
            try (EmbeddedPostgresLauncher second = EmbeddedPostgresLauncher.start(data, port)) {
                assertThat(second.startedHere()).isFalse();
                assertThat(second.port()).isEqualTo(port);
                execute(second, "INSERT INTO shared VALUES (7)");
            }
            // closing the second launcher did not stop the cluster
            assertThat(query(first, "SELECT v::text FROM shared")).isEqualTo("7");
            assertThat(data.resolve("postmaster.pid")).exists();
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aClusterWhoseStarterDiedIsTakenOverAndStoppedByTheNextLauncher() throws Exception {
        Path data = base.resolve("postgres");
        EmbeddedPostgresLauncher first = EmbeddedPostgresLauncher.start(data, port);
        try {
            execute(first, "CREATE TABLE orphaned (v int)");
            // as if the process that started it had been killed with -9: its id is gone
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            Files.writeString(base.resolve("postgres.owner"), gone.pid() + "\n");

            try (EmbeddedPostgresLauncher next = EmbeddedPostgresLauncher.start(data, port)) {
                assertThat(next.startedHere()).as("took the orphan over").isTrue();
                execute(next, "INSERT INTO orphaned VALUES (1)");
                assertThat(Files.readString(base.resolve("postgres.owner")).trim())
                        .isEqualTo(Long.toString(ProcessHandle.current().pid()));
            }
            // found by the kill -9 integration test: it used to run on after every server had stopped
            assertThat(data.resolve("postmaster.pid")).doesNotExist();
            assertThat(base.resolve("postgres.owner")).doesNotExist();
        } finally {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                first.close(); // only when the test failed: leave no cluster behind
            }
        }
    }

    @Test
    void clusterListensOnLoopbackOnlyAndNeedsThePassword() throws SQLException {
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(base.resolve("postgres"), port)) {
            assertThat(query(pg, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(query(pg, "SHOW synchronous_commit")).isEqualTo("on");
            assertThat(query(pg, "SHOW fsync")).isEqualTo("on");
            assertThat(pg.password()).hasSizeGreaterThan(20);
            java.util.Properties wrong = new java.util.Properties();
            wrong.setProperty("user", "postgres");
            wrong.setProperty("password", "wrong");
            org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                    java.sql.DriverManager.getConnection(pg.jdbcUrl("postgres"), wrong).close())
                    .isInstanceOf(SQLException.class);
        }
    }

    private static void execute(EmbeddedPostgresLauncher pg, String sql) throws SQLException {
        try (Connection c = pg.dataSource("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static String query(EmbeddedPostgresLauncher pg, String sql) throws SQLException {
        try (Connection c = pg.dataSource("postgres").getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
