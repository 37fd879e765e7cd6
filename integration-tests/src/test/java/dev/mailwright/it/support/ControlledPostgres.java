package dev.mailwright.it.support;

import dev.mailwright.store.postgres.embedded.EmbeddedPostgresLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A PostgreSQL of the test's own, to stop and start while a server uses it: the embedded
 * PostgreSQL binaries on a private data directory and port. Under root the cluster runs as an
 * unprivileged user, so the directory is made world-traversable.
 */
public final class ControlledPostgres implements AutoCloseable {

    public static final String DATABASE = "mailwright";

    private final Path base;
    private final int port;
    private EmbeddedPostgresLauncher launcher;

    private ControlledPostgres(Path base, int port) {
        this.base = base;
        this.port = port;
    }

    public static ControlledPostgres start() throws IOException {
        Path base = Files.createTempDirectory("mailwright-it-pg");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        ControlledPostgres pg = new ControlledPostgres(base, ChildServer.freePort());
        pg.up();
        pg.launcher.createDatabase(DATABASE);
        return pg;
    }

    /** Starts the cluster again on the same data directory and port. */
    public synchronized void up() {
        launcher = EmbeddedPostgresLauncher.start(base.resolve("data"), port);
    }

    /** Stops the cluster (fast shutdown: open sessions are cut, committed data stays). */
    public synchronized void down() {
        launcher.close();
    }

    public String jdbcUrl() {
        return launcher.jdbcUrl(DATABASE);
    }

    public String user() {
        return launcher.user();
    }

    public String password() {
        return launcher.password();
    }

    @Override
    public synchronized void close() throws IOException {
        launcher.close();
        try (Stream<Path> paths = Files.walk(base)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
