package dev.mailwright.store.postgres.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several processes on one embedded cluster, as the server and admin commands share it, and
 * {@code kill -9} of everything: each test process is a {@link LauncherChild} JVM.
 */
class ClusterSharingTest {

    /** How many kill -9 and restart rounds {@link #killMinus9OfEverythingAndAnImmediateRestartComesBackEveryTime} runs. */
    private static final int CRASH_ROUNDS = Integer.getInteger("mailwright.crash-rounds", 3);

    private Path base;
    private Path data;
    private int port;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void makeDirectory() throws IOException, SQLException {
        base = Files.createTempDirectory("mailwright-sharing-test");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        data = base.resolve("postgres");
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port);
             Connection c = pg.dataSource("postgres").getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE visits (pid bigint)");
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        // whatever a failed test left running goes with its data directory
        Postmaster.running(data).flatMap(p -> ProcessHandle.of(p.pid())).ifPresent(ProcessHandle::destroyForcibly);
        try (Stream<Path> paths = Files.walk(base)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void concurrentAdminCommandsWithTheServerStoppedAllSucceedAndTheLastStopsTheCluster() throws Exception {
        List<Process> commands = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            commands.add(child("use"));
        }
        for (Process p : commands) {
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(output(p)).isZero();
        }
        assertThat(data.resolve("postmaster.pid")).as("the last command stopped the cluster").doesNotExist();
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(query(pg, "SELECT count(*) FROM visits")).isEqualTo(5);
        }
    }

    @Test
    void aServerThatJoinedTheClusterOfACommandKeepsItWhenTheCommandEnds() throws Exception {
        Process command = child("hold");
        awaitReady(command);
        try (EmbeddedPostgresLauncher server = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(server.startedHere()).isFalse();
            command.getOutputStream().close(); // the import ends
            assertThat(command.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(command.exitValue()).isZero();

            assertThat(Postmaster.running(data)).as("still running for the server").isPresent();
            assertThat(query(server, "SELECT count(*) FROM visits")).isEqualTo(1);
        }
        assertThat(data.resolve("postmaster.pid")).as("the server, the last user, stopped it").doesNotExist();
    }

    @Test
    void aCommandNeverStopsTheClusterOfARunningServer() throws Exception {
        try (EmbeddedPostgresLauncher server = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(server.startedHere()).isTrue();
            Process command = child("use");
            assertThat(command.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(command.exitValue()).as(output(command)).isZero();
            assertThat(query(server, "SELECT count(*) FROM visits")).isEqualTo(1);
        }
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void killMinus9OfEverythingAndAnImmediateRestartComesBackEveryTime() throws Exception {
        for (int round = 1; round <= CRASH_ROUNDS; round++) {
            Process server = child("hold");
            awaitReady(server);
            Postmaster postmaster = Postmaster.running(data).orElseThrow();
            // a power cut: the JVM, the postmaster and every backend at once, postmaster.pid left behind
            ProcessHandle pm = ProcessHandle.of(postmaster.pid()).orElseThrow();
            List<ProcessHandle> backends = pm.descendants().toList();
            server.destroyForcibly();
            pm.destroyForcibly();
            backends.forEach(ProcessHandle::destroyForcibly);
            server.waitFor(10, TimeUnit.SECONDS);
            assertThat(data.resolve("postmaster.pid")).exists();
        }
        Process last = child("hold");
        awaitReady(last);
        last.getOutputStream().close();
        assertThat(last.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).isZero();
        assertThat(data.resolve("postmaster.pid")).doesNotExist();
        try (EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port)) {
            assertThat(query(pg, "SELECT count(*) FROM visits")).as("every round's row survived").isEqualTo(CRASH_ROUNDS + 1);
        }
    }

    private Process child(String mode) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LauncherChild.class.getName(), data.toString(), Integer.toString(port), mode)
                .redirectErrorStream(true).start();
        children.add(p);
        return p;
    }

    /** Reads the child's output until READY; fails with what it printed when it ends first. */
    private static void awaitReady(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = r.readLine()) != null) {
            if (line.equals("READY")) {
                return;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("the child ended before it was ready:\n" + seen);
    }

    private static String output(Process p) throws IOException {
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static long query(EmbeddedPostgresLauncher pg, String sql) throws SQLException {
        try (Connection c = pg.dataSource("postgres").getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
