package dev.mailwright.server;

import dev.mailwright.server.config.StartupException;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.password.Argon2;
import dev.mailwright.password.HashLimit;
import dev.mailwright.password.Libsodium;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.postgres.OneConnectionDataSource;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.SchemaMigrator;
import dev.mailwright.store.postgres.embedded.EmbeddedPostgresLauncher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's database: the embedded PostgreSQL under the data directory, or the external
 * one of {@code database.url}; migrated to this build's schema, pooled, and wrapped in the
 * PostgreSQL store. Also used by the admin commands, which share the server's configuration.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    static final String EMBEDDED_DATABASE = "mailwright";

    private final EmbeddedPostgresLauncher embedded;
    private final DataSource dataSource;
    private final AutoCloseable closeDataSource;
    private final PostgresMailStore store;
    private final Supplier<PasswordHashing> hashing;

    private Database(EmbeddedPostgresLauncher embedded, DataSource dataSource, AutoCloseable closeDataSource,
                     PostgresMailStore store, Supplier<PasswordHashing> hashing) {
        this.embedded = embedded;
        this.dataSource = dataSource;
        this.closeDataSource = closeDataSource;
        this.store = store;
        this.hashing = hashing;
    }

    /**
     * The configured password hashing: its cost, its Argon2 ({@code auto}: libsodium where it
     * loads, else BouncyCastle) and one {@link HashLimit} for every login of this process.
     */
    static PasswordHashing passwordHashing(ServerConfig.Passwords passwords) {
        Argon2 argon2 = switch (passwords.implementation()) {
            case JAVA -> Argon2.java();
            case LIBSODIUM -> Libsodium.argon2().orElseThrow(() -> new StartupException(
                    "passwords.implementation = libsodium, but libsodium does not load here (apt install libsodium23,"
                            + " or use auto or java)"));
            case AUTO -> Libsodium.argon2().orElse(Argon2.java());
        };
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(passwords.argon2MemoryKib(),
                passwords.argon2Iterations(), passwords.argon2Parallelism()), new SecureRandom(), argon2,
                HashLimit.forThisJvm(passwords.maxConcurrentHashes(), HashLimit.DEFAULT_MAX_WAIT));
        return passwords.scramIterations() > 0 ? hashing.withScram(passwords.scramIterations()) : hashing;
    }

    /** How passwords are hashed, for the log. */
    public PasswordHashing hashing() {
        return hashing.get();
    }

    /** What {@link #open} does with the schema. */
    public enum Schema {
        /** Apply pending migrations ({@code db migrate}, admin commands that create the schema). */
        MIGRATE,
        /**
         * The server at start: like {@link #MIGRATE}, but without Flyway when the schema history
         * already lists exactly this build's migrations ({@link SchemaMigrator#migrateIfBehind}).
         */
        MIGRATE_IF_BEHIND,
        /**
         * Require exactly this build's schema (admin commands): one query when the schema history
         * lists exactly this build's migrations ({@link SchemaMigrator#requireCurrent}), Flyway's
         * validation otherwise.
         */
        VALIDATE,
        /** Leave it alone ({@code db status}). */
        IGNORE
    }

    /**
     * The server's database: starts or joins it, migrates or validates its schema, and pools
     * its connections. Throws {@link StartupException} with a message naming the setting.
     */
    public static Database open(ServerConfig config, Schema schema) {
        PasswordHashing hashing = passwordHashing(config.passwords());
        return open(config, schema, false, () -> hashing);
    }

    /**
     * An admin command's database (ADR 0022): joins the running embedded PostgreSQL (or starts
     * it, or reaches {@code database.url}) over one plain connection with {@code application_name}
     * {@value #COMMAND_APPLICATION_NAME}, without a pool; password hashing is set up only if the
     * command hashes. Throws {@link StartupException} with a message naming the setting.
     */
    public static Database forCommand(ServerConfig config, Schema schema) {
        return open(config, schema, true, new Once<>(() -> passwordHashing(config.passwords())));
    }

    /**
     * The {@code application_name} of the admin commands' connections: not the server's
     * ({@link PostgresMailStore#APPLICATION_NAME}), which {@code db restore} looks for.
     */
    static final String COMMAND_APPLICATION_NAME = "mailwright-admin";

    private static Database open(ServerConfig config, Schema schema, boolean command, Supplier<PasswordHashing> hashing) {
        EmbeddedPostgresLauncher embedded = null;
        String url;
        Optional<String> user;
        Optional<String> password;
        if (config.database().embedded()) {
            EmbeddedPostgresLauncher.Login login;
            try {
                embedded = EmbeddedPostgresLauncher.start(config.dataDir().resolve("postgres"),
                        config.database().embeddedPort());
                // the server logs in as the database's owner role, not as the superuser (ADR 0029); a
                // command that joins a running cluster finds the database and role made (see reachable)
                Optional<EmbeddedPostgresLauncher.Login> made = command && !embedded.startedHere()
                        ? embedded.applicationLogin() : Optional.empty();
                login = made.isPresent() ? made.get() : embedded.ownedDatabase(EMBEDDED_DATABASE);
            } catch (EmbeddedPostgresLauncher.PortInUseException e) {
                throw new StartupException("database.embedded-port " + e.port() + ": " + e.getMessage()
                        + "; stop it or choose another port", e);
            } catch (StoreException e) {
                if (embedded != null) {
                    embedded.close();
                }
                throw new StartupException("embedded PostgreSQL (data-dir " + config.dataDir() + "): " + e.getMessage(), e);
            }
            url = embedded.jdbcUrl(EMBEDDED_DATABASE);
            user = Optional.of(login.user());
            password = Optional.of(login.password());
        } else {
            url = config.database().url().orElseThrow();
            user = Optional.of(config.database().user()).filter(s -> !s.isEmpty());
            password = Optional.of(config.database().password()).filter(s -> !s.isEmpty());
            if (!command) {
                checkReachable(url, user, password);
            }
        }
        DataSource dataSource;
        AutoCloseable closeDataSource;
        if (command) {
            OneConnectionDataSource one = new OneConnectionDataSource(url, user, password, COMMAND_APPLICATION_NAME,
                    config.database().socketTimeout());
            dataSource = one;
            closeDataSource = one;
            try {
                reachable(one, url, embedded);
            } catch (RuntimeException e) {
                one.close();
                if (embedded != null) {
                    embedded.close();
                }
                throw e;
            }
        } else {
            HikariDataSource pool = new HikariDataSource(PostgresMailStore.poolConfig(new PostgresMailStore.Settings(
                    url, user, password, config.database().poolSize(), Duration.ofSeconds(5),
                    config.database().socketTimeout())));
            dataSource = pool;
            closeDataSource = pool;
        }
        try {
            SchemaMigrator migrator = new SchemaMigrator(dataSource);
            switch (schema) {
                case MIGRATE -> migrator.migrate();
                case MIGRATE_IF_BEHIND -> migrator.migrateIfBehind();
                case VALIDATE -> migrator.requireCurrent();
                case IGNORE -> { }
            }
            Path spool = config.dataDir().resolve("spool");
            Files.createDirectories(spool);
            PostgresMailStore store = new PostgresMailStore(dataSource, Clock.systemUTC(), hashing, spool);
            return new Database(embedded, dataSource, closeDataSource, store, hashing);
        } catch (StoreException | IOException e) {
            closeQuietly(closeDataSource);
            if (embedded != null) {
                embedded.close();
            }
            throw new StartupException("database " + (config.database().embedded() ? "(embedded)" : url) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * A command's first connection, kept for its work: the same message as the server's
     * {@link #checkReachable} when it fails. A cluster another process started may not have the
     * database yet (that process makes it right after the start): then it is made here.
     */
    private static void reachable(OneConnectionDataSource dataSource, String url, EmbeddedPostgresLauncher embedded) {
        try {
            dataSource.getConnection().close();
        } catch (SQLException e) {
            // invalid_catalog_name, or the role is not there yet (a cluster another process started moments ago)
            if (embedded != null && List.of("3D000", "28P01", "28000").contains(e.getSQLState())) {
                embedded.ownedDatabase(EMBEDDED_DATABASE);
                reachable(dataSource, url, null);
                return;
            }
            throw new StartupException((embedded != null ? "embedded PostgreSQL " + url : "database.url " + url)
                    + " cannot be reached: " + firstLine(e.getMessage()), e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.debug("could not close the data source", e);
        }
    }

    /** A value made on first use, once. */
    private static final class Once<T> implements Supplier<T> {
        private final Supplier<T> make;
        private T value; // guarded by this

        Once(Supplier<T> make) {
            this.make = make;
        }

        @Override
        public synchronized T get() {
            if (value == null) {
                value = make.get();
            }
            return value;
        }
    }

    /**
     * Starts {@link #open} on a thread of its own, so that the caller can load what does not
     * need the database (TLS, metrics) while PostgreSQL starts and the schema is checked.
     */
    static Opening openInBackground(ServerConfig config, Schema schema) {
        CompletableFuture<Database> future = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                future.complete(open(config, schema));
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "mailwright-database-start");
        t.setDaemon(true);
        t.start();
        return new Opening(future);
    }

    /** A database being opened by {@link #openInBackground}. */
    static final class Opening {
        private final CompletableFuture<Database> future;

        private Opening(CompletableFuture<Database> future) {
            this.future = future;
        }

        /** Waits for the database; throws what {@link #open} threw ({@link StartupException} with its message). */
        Database join() {
            try {
                return future.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error err) {
                    throw err;
                }
                throw e;
            }
        }

        /**
         * For a start that failed elsewhere: waits until the opening ends and closes the database
         * if it opened (so the embedded PostgreSQL this process started does not run on); its own
         * failure, if any, is dropped in favour of the one being reported.
         */
        void abandon() {
            try {
                join().close();
            } catch (RuntimeException | Error e) {
                LOG.debug("database opening failed while abandoning the start", e);
            }
        }
    }

    private static void checkReachable(String url, Optional<String> user, Optional<String> password) {
        Properties props = new Properties();
        user.ifPresent(u -> props.setProperty("user", u));
        password.ifPresent(p -> props.setProperty("password", p));
        props.setProperty("connectTimeout", "5");
        props.setProperty("loginTimeout", "10");
        try (Connection c = DriverManager.getConnection(url, props)) {
            LOG.debug("database reachable: {}", c.getMetaData().getDatabaseProductVersion());
        } catch (SQLException e) {
            throw new StartupException("database.url " + url + " cannot be reached: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "no reason given";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    public PostgresMailStore store() {
        return store;
    }

    public SchemaMigrator migrator() {
        return new SchemaMigrator(dataSource);
    }

    /** The data source: pooled for the server, one connection for a command. */
    public DataSource dataSource() {
        return dataSource;
    }

    /** Null when a connection answers, else what is wrong (for {@code /readyz}). */
    public String readinessProblem() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2) ? null : "database does not answer";
        } catch (SQLException e) {
            return "database unreachable";
        }
    }

    /** Closes the store and its connections, then stops the embedded PostgreSQL if nobody else uses it. */
    @Override
    public void close() {
        try {
            store.close();
        } finally {
            closeQuietly(closeDataSource);
            if (embedded != null) {
                embedded.close();
            }
        }
    }
}
