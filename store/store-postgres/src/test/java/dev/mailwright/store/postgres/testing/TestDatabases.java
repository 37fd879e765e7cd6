package dev.mailwright.store.postgres.testing;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.SchemaMigrator;
import dev.mailwright.store.postgres.embedded.EmbeddedPostgresLauncher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Fresh PostgreSQL databases for tests, with the Mailwright schema applied. The server comes
 * from, in this order: the environment variable {@code MAILWRIGHT_TEST_JDBC_URL} (with
 * {@code MAILWRIGHT_TEST_JDBC_USER} and {@code MAILWRIGHT_TEST_JDBC_PASSWORD} if the URL does
 * not carry them; the role needs CREATEDB); a Testcontainers PostgreSQL when a Docker engine
 * answers; else one embedded PostgreSQL per JVM, started on first use and stopped at exit.
 * Each call to {@link #fresh()} creates a new database, so test classes never see each other's data.
 */
public final class TestDatabases {

    private static final Logger LOG = LoggerFactory.getLogger(TestDatabases.class);
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final java.util.List<String> CREATED = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static Server server;

    private TestDatabases() {
    }

    /** One test database. */
    public record TestDatabase(String name, String jdbcUrl, String user, String password) {

        /** An unpooled data source. */
        public DataSource dataSource() {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(jdbcUrl);
            ds.setUser(user);
            ds.setPassword(password);
            return ds;
        }

        /** A pool as the store would make it; close it after the test class. */
        public HikariDataSource pool(int size) {
            return new HikariDataSource(PostgresMailStore.poolConfig(settings(size)));
        }

        public PostgresMailStore.Settings settings(int poolSize) {
            return new PostgresMailStore.Settings(jdbcUrl, Optional.of(user), Optional.ofNullable(password), poolSize,
                    java.time.Duration.ofSeconds(10));
        }

        /** Empties every table of the store schema. */
        public void truncate() {
            try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE domains, accounts, aliases, messages, message_chunks, mailbox_entries,"
                        + " maildrop_locks, queue, dkim_keys, greylist, rate_counters RESTART IDENTITY CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("could not empty test database " + name, e);
            }
        }
    }

    /** A new database with the schema migrated. */
    public static TestDatabase fresh() {
        TestDatabase db = empty();
        new SchemaMigrator(db.dataSource()).migrate();
        return db;
    }

    /** A new database without any schema. */
    public static synchronized TestDatabase empty() {
        Server s = server();
        String name = "mw_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = s.admin(); Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name, e);
        }
        CREATED.add(name);
        return new TestDatabase(name, s.urlOf(name), s.user(), s.password());
    }

    private static void dropCreated(Server s) {
        try (Connection c = s.admin(); Statement st = c.createStatement()) {
            for (String name : CREATED) {
                st.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        } catch (SQLException e) {
            LOG.warn("could not drop the test databases {}: {}", CREATED, e.getMessage());
        }
    }

    /** Where the test databases live. */
    public static synchronized String describe() {
        return server().kind();
    }

    private static synchronized Server server() {
        if (server == null) {
            server = startServer();
        }
        return server;
    }

    private interface Server {
        String kind();

        String urlOf(String database);

        String user();

        String password();

        default Connection admin() throws SQLException {
            Properties p = new Properties();
            p.setProperty("user", user());
            if (password() != null) {
                p.setProperty("password", password());
            }
            return DriverManager.getConnection(urlOf("postgres"), p);
        }
    }

    private static Server startServer() {
        String url = System.getenv("MAILWRIGHT_TEST_JDBC_URL");
        if (url != null && !url.isBlank()) {
            LOG.info("test databases on {}", url);
            UrlServer external = new UrlServer(url, System.getenv("MAILWRIGHT_TEST_JDBC_USER"),
                    System.getenv("MAILWRIGHT_TEST_JDBC_PASSWORD"));
            // a server that outlives the tests: drop what this JVM created
            Runtime.getRuntime().addShutdownHook(new Thread(() -> dropCreated(external), "test-databases-drop"));
            return external;
        }
        if (dockerAnswers()) {
            return ContainerServer.start();
        }
        return EmbeddedServer.start();
    }

    private static boolean dockerAnswers() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) { // no Docker engine, or no Docker client configuration at all
            LOG.debug("no Docker engine", e);
            return false;
        }
    }

    /** A server given by URL: databases are made on it by name. */
    private record UrlServer(String url, String user, String password) implements Server {
        @Override
        public String kind() {
            return "MAILWRIGHT_TEST_JDBC_URL";
        }

        @Override
        public String urlOf(String database) {
            // jdbc:postgresql://host:port/db?params -> same with another db
            int slash = url.indexOf('/', "jdbc:postgresql://".length());
            int query = url.indexOf('?');
            String head = slash < 0 ? url : url.substring(0, slash);
            String tail = query < 0 ? "" : url.substring(query);
            return head + "/" + database + tail;
        }
    }

    private record ContainerServer(org.testcontainers.postgresql.PostgreSQLContainer container) implements Server {
        static Server start() {
            var c = new org.testcontainers.postgresql.PostgreSQLContainer("postgres:17-alpine");
            c.start();
            LOG.info("test databases in container {}", c.getContainerId());
            return new ContainerServer(c);
        }

        @Override
        public String kind() {
            return "Testcontainers";
        }

        @Override
        public String urlOf(String database) {
            return "jdbc:postgresql://" + container.getHost() + ":" + container.getMappedPort(5432) + "/" + database;
        }

        @Override
        public String user() {
            return container.getUsername();
        }

        @Override
        public String password() {
            return container.getPassword();
        }
    }

    private record EmbeddedServer(EmbeddedPostgresLauncher launcher) implements Server {
        static Server start() {
            try {
                Path dir = Files.createTempDirectory("mailwright-test-pg");
                // PostgreSQL may run as another user (when tests run as root): let it in
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
                int port;
                try (ServerSocket socket = new ServerSocket(0)) {
                    port = socket.getLocalPort();
                }
                EmbeddedPostgresLauncher launcher = EmbeddedPostgresLauncher.start(dir.resolve("data"), port);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    launcher.close();
                    deleteTree(dir);
                }, "test-postgres-stop"));
                LOG.info("test databases in embedded PostgreSQL on port {}", port);
                return new EmbeddedServer(launcher);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String kind() {
            return "embedded PostgreSQL";
        }

        @Override
        public String urlOf(String database) {
            return launcher.jdbcUrl(database);
        }

        @Override
        public String user() {
            return launcher.user();
        }

        @Override
        public String password() {
            return launcher.password();
        }
    }

    /** Removes a directory tree of a test, as far as it can; what is left stays in the temporary directory. */
    public static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind
        }
    }
}
