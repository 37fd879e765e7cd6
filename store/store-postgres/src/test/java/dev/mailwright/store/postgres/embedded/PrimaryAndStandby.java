package dev.mailwright.store.postgres.embedded;

import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A PostgreSQL primary with one synchronous streaming standby, both from the embedded binaries
 * (the {@link EmbeddedPostgresLauncher}), each on its own data directory and port of 127.0.0.1;
 * for failover tests. The bundle has no {@code pg_basebackup}, so the standby starts from a cold
 * copy of the primary's data directory (taken while the primary is cleanly stopped) with
 * {@code standby.signal} and a {@code primary_conninfo}; the primary then names it in
 * {@code synchronous_standby_names}, so a commit returns only once the standby has the WAL.
 * The copy does not carry that setting: once promoted, the standby commits on its own.
 */
public final class PrimaryAndStandby implements AutoCloseable {

    private static final String STANDBY_NAME = "standby1";
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final Path base;
    private final String database;
    private final EmbeddedPostgresLauncher primary;
    private final EmbeddedPostgresLauncher standby;

    private PrimaryAndStandby(Path base, String database, EmbeddedPostgresLauncher primary,
                              EmbeddedPostgresLauncher standby) {
        this.base = base;
        this.database = database;
        this.primary = primary;
        this.standby = standby;
    }

    /** Creates both clusters with {@code database} in them and waits until the standby is synchronous. */
    public static PrimaryAndStandby start(String database) throws IOException {
        Path base = Files.createTempDirectory("mailwright-failover-pg");
        // under root PostgreSQL runs as an unprivileged user, who must get in
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path primaryData = base.resolve("primary");
        Path standbyData = base.resolve("standby");
        int primaryPort = freePort();
        int standbyPort = freePort();

        EmbeddedPostgresLauncher first = EmbeddedPostgresLauncher.start(primaryData, primaryPort);
        String password = first.password();
        try {
            first.createDatabase(database);
        } finally {
            first.close(); // a clean stop: the data directory can be copied as it is
        }
        copyTree(primaryData, standbyData);
        Files.copy(base.resolve("primary.password"), base.resolve("standby.password"),
                StandardCopyOption.COPY_ATTRIBUTES);
        // initdb's pg_hba.conf lets 127.0.0.1 replicate with a password; the superuser may replicate
        append(standbyData.resolve("postgresql.conf"),
                "primary_conninfo = 'host=127.0.0.1 port=" + primaryPort + " user=" + first.user()
                        + " password=" + password + " application_name=" + STANDBY_NAME + "'",
                "hot_standby = on");
        Path signal = Files.createFile(standbyData.resolve("standby.signal"));
        Files.setOwner(signal, Files.getOwner(standbyData));
        append(primaryData.resolve("postgresql.conf"),
                "synchronous_standby_names = '" + STANDBY_NAME + "'",
                "synchronous_commit = on",
                "wal_keep_size = '256MB'");

        EmbeddedPostgresLauncher primary = EmbeddedPostgresLauncher.start(primaryData, primaryPort);
        EmbeddedPostgresLauncher standby;
        try {
            standby = EmbeddedPostgresLauncher.start(standbyData, standbyPort);
        } catch (RuntimeException e) {
            primary.close();
            throw e;
        }
        PrimaryAndStandby pair = new PrimaryAndStandby(base, database, primary, standby);
        try {
            pair.awaitSynchronousStandby();
        } catch (RuntimeException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    private void awaitSynchronousStandby() {
        long deadline = System.nanoTime() + WAIT.toNanos();
        String state = "not connected";
        while (System.nanoTime() < deadline) {
            try (Connection c = primary.dataSource("postgres").getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT sync_state FROM pg_stat_replication WHERE application_name = '"
                         + STANDBY_NAME + "'")) {
                if (rs.next()) {
                    state = rs.getString(1);
                    if (state.equals("sync")) {
                        return;
                    }
                }
            } catch (SQLException e) {
                state = e.getMessage();
            }
            pause();
        }
        throw new IllegalStateException("the standby did not become synchronous within " + WAIT + ": " + state);
    }

    /**
     * A URL naming both servers, standby last, that connects only to whichever is the primary
     * ({@code targetServerType=primary}), with the given extra parameters ({@code a=b&c=d}, or empty).
     */
    public String multiHostUrl(String parameters) {
        return "jdbc:postgresql://127.0.0.1:" + primary.port() + ",127.0.0.1:" + standby.port() + "/" + database
                + "?targetServerType=primary" + (parameters.isEmpty() ? "" : "&" + parameters);
    }

    /** The primary's port on 127.0.0.1 (to put a proxy in front of it, say). */
    public int primaryPort() {
        return primary.port();
    }

    /** The standby's port on 127.0.0.1. */
    public int standbyPort() {
        return standby.port();
    }

    public String database() {
        return database;
    }

    public String user() {
        return primary.user();
    }

    /** Both clusters share the primary's superuser password (the standby is its copy). */
    public String password() {
        return primary.password();
    }

    /** The database on the primary, unpooled. */
    public DataSource primaryDataSource() {
        return primary.dataSource(database);
    }

    /** The database on the standby, unpooled (read-only until promoted). */
    public DataSource standbyDataSource() {
        return standby.dataSource(database);
    }

    /** Kills the primary as a crash would ({@code pg_ctl stop -m immediate}): no shutdown checkpoint, sessions cut. */
    public void crashPrimary() {
        primary.pgCtl("stop", "-m", "immediate", "-w", "-t", Long.toString(WAIT.toSeconds()));
    }

    /**
     * Stops every process of the primary ({@code SIGSTOP}) without closing anything: its port
     * still accepts TCP connections (the kernel completes them) and nothing answers, as with a
     * hung machine or dead storage. {@link #thawPrimary()} lets it go on.
     */
    public void freezePrimary() {
        signalPrimary("STOP");
    }

    public void thawPrimary() {
        signalPrimary("CONT");
    }

    private void signalPrimary(String signal) {
        try {
            Postmaster postmaster = Postmaster.named(primary.dataDirectory())
                    .orElseThrow(() -> new IllegalStateException("the primary is not running"));
            List<String> command = new java.util.ArrayList<>(List.of("kill", "-" + signal,
                    Long.toString(postmaster.pid())));
            ProcessHandle.of(postmaster.pid()).ifPresent(p -> p.descendants()
                    .forEach(child -> command.add(Long.toString(child.pid()))));
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!kill.waitFor(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Makes the standby the primary ({@code pg_ctl promote}) and waits until it accepts writes. */
    public void promoteStandby() {
        standby.pgCtl("promote", "-w", "-t", Long.toString(WAIT.toSeconds()));
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            try (Connection c = standbyDataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                if (rs.next() && !rs.getBoolean(1)) {
                    return;
                }
            } catch (SQLException e) {
                // still switching over
            }
            pause();
        }
        throw new IllegalStateException("the standby did not leave recovery within " + WAIT);
    }

    /** Stops both clusters (what is still running) and removes their directories. */
    @Override
    public void close() throws IOException {
        try {
            try {
                standby.close();
            } finally {
                if (Postmaster.running(primary.dataDirectory()).isPresent()) {
                    thawPrimary(); // a frozen primary would not stop
                }
                primary.close();
            }
        } finally {
            TestDatabases.deleteTree(base);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100); // polling another process's state; nothing to be notified by
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Copies a stopped cluster's data directory with owners and modes (PostgreSQL insists on 0700 and its owner). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (p.getFileName().toString().equals("postmaster.pid")) {
                    continue;
                }
                Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                if (!Files.isSymbolicLink(p)) {
                    Files.setOwner(target, Files.getOwner(p));
                }
            }
        }
    }

    private static void append(Path file, String... lines) throws IOException {
        Files.writeString(file, "\n# ---- streaming replication (test) ----\n" + String.join("\n", List.of(lines))
                + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }
}
