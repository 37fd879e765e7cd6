package dev.mailwright.store.postgres.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.List;
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
    void theSuperuserPasswordFileIsCreatedForItsOwnerOnly() throws IOException {
        Path file = base.resolve("postgres.password");
        Files.writeString(file, "left over by a failed start\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        EmbeddedPostgresLauncher.writePrivate(file, "secret\n");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(file)).isEqualTo("secret\n");
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
        Path data = base.resolve("postgres");
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(pg.startedHere()).isTrue();
        }
        // the binaries of this classpath (a plain jar in the local Maven repository) have an index
        Path cache = PostgresBinaries.cache(data);
        Path index = PostgresBinaries.indexFile(cache).orElseThrow();
        assertThat(cache.resolve(Files.readString(index).trim()).resolve(".complete")).exists();
        Files.writeString(index, "pg-gone\n"); // names binaries that are not there (any more)
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(query(pg, "SELECT 'up'")).isEqualTo("up");
        }
        assertThat(cache.resolve(Files.readString(index).trim()).resolve(".complete")).exists();
    }

    @Test
    void binariesAreUnpackedOnlyWhereNobodyElseCanWrite() throws Exception {
        Path cache = PostgresBinaries.cache(base.resolve("postgres"));
        assertThat(cache.toString()).doesNotStartWith(System.getProperty("java.io.tmpdir"));
        PostgresBinaries.requirePrivate(cache);

        Path shared = Files.createDirectory(base.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> PostgresBinaries.requirePrivate(shared))
                .hasMessageContaining(shared + " can be written by other users");
        Path below = Files.createDirectory(shared.resolve("pg"));
        Files.setPosixFilePermissions(below, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> PostgresBinaries.requirePrivate(below))
                .hasMessageContaining(shared + " can be written by other users");
        assertThatThrownBy(() -> PostgresBinaries.requirePrivate(Path.of("/tmp")))
                .hasMessageContaining("/tmp can be written by other users");
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
    void aPostmasterKilledWithSigkillLeavesAPidFileThatDoesNotBlockTheNextStart() throws Exception {
        Path data = base.resolve("postgres");
        try (EmbeddedPostgresLauncher first = EmbeddedPostgresLauncher.start(data, port)) {
            execute(first, "CREATE TABLE survived (v int)");
            execute(first, "INSERT INTO survived VALUES (1)");
            killMinus9(data);
            assertThat(data.resolve("postmaster.pid")).exists();
        }
        try (EmbeddedPostgresLauncher next = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(next.startedHere()).isTrue();
            assertThat(query(next, "SELECT v::text FROM survived")).isEqualTo("1");
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void aPidFileNamingAnUnrelatedLiveProcessDoesNotBlockTheStart() throws Exception {
        Path data = base.resolve("postgres");
        List<String> pidFile;
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            pidFile = Files.readAllLines(data.resolve("postmaster.pid"));
        }
        // after a reboot the pid may belong to anything: here, this very JVM
        pidFile.set(0, Long.toString(ProcessHandle.current().pid()));
        Files.write(data.resolve("postmaster.pid"), pidFile);
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(pg.startedHere()).isTrue();
            assertThat(query(pg, "SELECT 'up'")).isEqualTo("up");
        }
    }

    @Test
    void aPidFileNamingAZombieDoesNotBlockTheStart() throws Exception {
        Path data = base.resolve("postgres");
        List<String> pidFile;
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            pidFile = Files.readAllLines(data.resolve("postmaster.pid"));
        }
        // sleep 30 never waits for its child, which stays a zombie once it exits
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.1 & echo $!; exec sleep 30").start();
        try {
            long zombie = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream()))
                    .readLine().trim());
            Path stat = Path.of("/proc", Long.toString(zombie), "stat");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!Postmaster.isZombie(Files.readString(stat)) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Postmaster.isZombie(Files.readString(stat))).isTrue();
            assertThat(ProcessHandle.of(zombie)).as("a zombie looks alive to Java").isPresent();

            pidFile.set(0, Long.toString(zombie));
            Files.write(data.resolve("postmaster.pid"), pidFile);
            try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
                assertThat(pg.startedHere()).isTrue();
            }
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void aTakenPortIsReportedInOneLine() throws Exception {
        try (ServerSocket taken = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> EmbeddedPostgresLauncher.start(base.resolve("postgres"), port))
                    .isInstanceOf(EmbeddedPostgresLauncher.PortInUseException.class)
                    .hasMessage("127.0.0.1:" + port + " is already in use by another program");
        }
    }

    @Test
    void aHomeThePostgresUserCannotEnterIsNamed() throws Exception {
        assumeTrue(EmbeddedPostgresLauncher.isRoot(), "only root runs PostgreSQL as another user");
        Path home = Files.createDirectory(base.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
        assertThatThrownBy(() -> EmbeddedPostgresLauncher.start(home.resolve("postgres"), port))
                .hasMessageStartingWith("directory " + home + " cannot be entered by the user postgres")
                .hasMessageNotContaining("\n");
    }

    @Test
    void anUnwritableHomeIsNamed() throws Exception {
        assumeTrue(!EmbeddedPostgresLauncher.isRoot(), "root writes everywhere");
        Path home = Files.createDirectory(base.resolve("home"));
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("r-x------"));
        assertThatThrownBy(() -> EmbeddedPostgresLauncher.start(home.resolve("postgres"), port))
                .hasMessageContaining(home.toString()).hasMessageContaining("permission denied");
    }

    /** Kills the postmaster of {@code data} and its backends with SIGKILL and waits until none of them serves it. */
    private static void killMinus9(Path data) throws Exception {
        ProcessHandle pm = ProcessHandle.of(Postmaster.running(data).orElseThrow().pid()).orElseThrow();
        List<ProcessHandle> backends = pm.descendants().toList();
        pm.destroyForcibly();
        backends.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Postmaster.running(data).isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Postmaster.running(data)).isEmpty();
    }

    @Test
    void theServersRoleOwnsItsDatabaseIsNoSuperuserAndTakesOverWhatAnEarlierBuildMade() throws SQLException, IOException {
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(base.resolve("postgres"), port)) {
            // a data directory of an earlier build: the database and its objects made by the superuser
            pg.createDatabase("mailwright");
            try (Connection c = pg.dataSource("mailwright").getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE old_table (id bigint GENERATED ALWAYS AS IDENTITY, v text)");
                s.execute("INSERT INTO old_table (v) VALUES ('kept')");
                s.execute("CREATE SEQUENCE free_sequence");
                s.execute("CREATE FUNCTION old_function() RETURNS int LANGUAGE sql AS 'SELECT 1'");
            }
            EmbeddedPostgresLauncher.Login login = pg.ownedDatabase("mailwright");
            assertThat(login.user()).isEqualTo("mailwright").isNotEqualTo(pg.user());
            assertThat(Files.getPosixFilePermissions(base.resolve("postgres.mailwright-password")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
            assertThat(pg.ownedDatabase("mailwright")).as("again, at the next start").isEqualTo(login);
            assertThat(pg.applicationLogin()).contains(login);

            org.postgresql.ds.PGSimpleDataSource asRole = new org.postgresql.ds.PGSimpleDataSource();
            asRole.setUrl(pg.jdbcUrl("mailwright"));
            asRole.setUser(login.user());
            asRole.setPassword(login.password());
            try (Connection c = asRole.getConnection(); Statement s = c.createStatement()) {
                assertThat(one(s, "SELECT rolsuper || ' ' || rolcreaterole || ' ' || rolcreatedb FROM pg_roles"
                        + " WHERE rolname = current_user")).isEqualTo("false false false");
                s.execute("INSERT INTO old_table (v) VALUES ('new')");
                assertThat(one(s, "SELECT string_agg(v, ',' ORDER BY id) FROM old_table")).isEqualTo("kept,new");
                assertThat(one(s, "SELECT nextval('free_sequence') + old_function()")).isEqualTo("2");
                s.execute("ALTER TABLE old_table ADD COLUMN w text"); // what a migration does
                for (String forbidden : new String[] {"CREATE ROLE intruder", "CREATE DATABASE other",
                        "COPY old_table TO PROGRAM 'true'", "SELECT pg_read_file('postgresql.conf')",
                        "ALTER SYSTEM SET fsync = off"}) {
                    assertThatThrownBy(() -> s.execute(forbidden)).as(forbidden).isInstanceOf(SQLException.class);
                }
            }
            // this build's whole schema migrates as the role, into a database made for it
            assertThat(pg.ownedDatabase("mailwright_new")).isEqualTo(login);
            asRole.setUrl(pg.jdbcUrl("mailwright_new"));
            assertThat(new dev.mailwright.store.postgres.SchemaMigrator(asRole).migrate()).isPositive();
        }
    }

    private static String one(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
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
