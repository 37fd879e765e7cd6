package dev.mailwright.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.Accounts;
import dev.mailwright.store.Aliases;
import dev.mailwright.store.Deliveries;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.DkimKeys;
import dev.mailwright.store.Greylist;
import dev.mailwright.store.RateCounters;
import dev.mailwright.store.Secrets;
import dev.mailwright.store.Domains;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Mailboxes;
import dev.mailwright.store.Maildrops;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.Senders;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.internal.DirectoryCache;
import dev.mailwright.store.postgres.internal.GroupCommit;
import dev.mailwright.store.postgres.internal.Jdbc;
import dev.mailwright.store.postgres.internal.SqlAccounts;
import dev.mailwright.store.postgres.internal.SqlAliases;
import dev.mailwright.store.postgres.internal.SqlDelivery;
import dev.mailwright.store.postgres.internal.SqlDkimKeys;
import dev.mailwright.store.postgres.internal.SqlDomains;
import dev.mailwright.store.postgres.internal.SqlMailboxes;
import dev.mailwright.store.postgres.internal.SqlMaildrops;
import dev.mailwright.store.postgres.internal.SqlQueue;
import dev.mailwright.store.postgres.internal.SqlRecipients;
import dev.mailwright.store.postgres.internal.SqlGreylist;
import dev.mailwright.store.postgres.internal.SqlRateCounters;
import dev.mailwright.store.postgres.internal.SqlSecrets;
import dev.mailwright.store.postgres.internal.SqlSenders;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The message store on PostgreSQL: plain JDBC over a HikariCP pool, schema by
 * {@link SchemaMigrator}. Every time stamp comes from the given {@link Clock} and is passed
 * to SQL as a parameter. Each method runs in one transaction or one statement; failures that
 * may pass (no connection, conflicts, timeouts, shutdown) surface as
 * {@link dev.mailwright.store.StoreUnavailableException} with nothing changed.
 *
 * <p>The schema must be migrated before the store is used ({@link SchemaMigrator#migrate()}).
 */
public final class PostgresMailStore implements MailStore {

    /**
     * How to reach the database when the store makes its own pool.
     *
     * @param jdbcUrl           {@code jdbc:postgresql://host:port/database}
     * @param user              the role, if not in the URL
     * @param password          its password, if any
     * @param poolSize          connections in the pool (at least as many as concurrent deliveries)
     * @param connectionTimeout how long a caller waits for a connection before the store is unavailable
     * @param socketTimeout     how long one wait for the database's answer may take (the driver's
     *                          {@code socketTimeout}, whole seconds; zero: no limit); a
     *                          {@code socketTimeout} in the URL wins
     */
    public record Settings(String jdbcUrl, Optional<String> user, Optional<String> password, int poolSize,
                           Duration connectionTimeout, Duration socketTimeout) {

        /**
         * Without it, a database host that goes silent (no TCP reset: a hung machine, a cut
         * network, a frozen process behind a listening socket) holds every statement in flight
         * until the kernel gives up (15 minutes to hours), and a new connection's login to it
         * forever, which stalls the pool: the server would never reach the promoted standby.
         */
        public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(60);

        public Settings {
            if (socketTimeout.isNegative()) {
                throw new IllegalArgumentException("socketTimeout must not be negative: " + socketTimeout);
            }
        }

        public Settings(String jdbcUrl, Optional<String> user, Optional<String> password, int poolSize,
                        Duration connectionTimeout) {
            this(jdbcUrl, user, password, poolSize, connectionTimeout, DEFAULT_SOCKET_TIMEOUT);
        }

        public static Settings of(String jdbcUrl, int poolSize) {
            return new Settings(jdbcUrl, Optional.empty(), Optional.empty(), poolSize, Duration.ofSeconds(5));
        }
    }

    /**
     * Lanes of grouped small deliveries (see {@link GroupCommit}). Many, so that deliveries to
     * different mailboxes rarely share a lane (they run side by side, and PostgreSQL groups their
     * WAL flushes itself) while deliveries to one busy mailbox always do (one transaction for
     * many, instead of one commit after another on its counter row).
     */
    private static final int GROUP_COMMIT_LANES = 64;

    private final HikariDataSource ownedPool;
    private final DirectoryCache directoryCache;
    private final Domains domains;
    private final Accounts accounts;
    private final Aliases aliases;
    private final Recipients recipients;
    private final Deliveries deliveries;
    private final SqlMaildrops maildrops;
    private final OutboundQueue queue;
    private final Mailboxes mailboxes;
    private final DkimKeys dkimKeys;
    private final Secrets secrets;
    private final dev.mailwright.store.TlsReports tlsReports;
    private final Senders senders;
    private final Greylist greylist;
    private final RateCounters rateCounters;

    /**
     * A store over a data source that the caller owns and closes.
     *
     * @param spoolDirectory where large incoming messages wait for their commit; null for the system temp directory
     */
    public PostgresMailStore(DataSource dataSource, Clock clock, PasswordHashing hashing, Path spoolDirectory) {
        this(dataSource, null, clock, () -> hashing, spoolDirectory);
    }

    public PostgresMailStore(DataSource dataSource, Clock clock, PasswordHashing hashing) {
        this(dataSource, null, clock, () -> hashing, null);
    }

    /**
     * A store over a data source that the caller owns and closes, asking {@code hashing} for the
     * password hashing only when a password is hashed or verified (it should make it once): an
     * admin command that does neither never loads a hash library.
     */
    public PostgresMailStore(DataSource dataSource, Clock clock, Supplier<PasswordHashing> hashing, Path spoolDirectory) {
        this(dataSource, null, clock, hashing, spoolDirectory);
    }

    private PostgresMailStore(DataSource dataSource, HikariDataSource ownedPool, Clock clock,
                              Supplier<PasswordHashing> hashing, Path spoolDirectory) {
        this.ownedPool = ownedPool;
        Jdbc jdbc = new Jdbc(dataSource);
        this.directoryCache = new DirectoryCache(dataSource);
        this.domains = new SqlDomains(jdbc, clock, directoryCache::invalidate);
        this.secrets = new SqlSecrets(jdbc, clock);
        this.tlsReports = new dev.mailwright.store.postgres.internal.SqlTlsReports(jdbc, clock);
        this.greylist = new SqlGreylist(jdbc, clock);
        this.rateCounters = new SqlRateCounters(jdbc);
        this.accounts = new SqlAccounts(jdbc, clock, hashing, secrets, directoryCache::invalidate);
        this.aliases = new SqlAliases(jdbc, directoryCache::invalidate);
        this.recipients = new SqlRecipients(jdbc);
        GroupCommit<SqlDelivery.Small, DeliveryReceipt> groupCommit =
                new GroupCommit<>(jdbc, GROUP_COMMIT_LANES, SqlDelivery.SMALL_DELIVERIES);
        this.deliveries = envelope -> new SqlDelivery(jdbc, groupCommit, directoryCache, clock, envelope,
                spoolDirectory);
        this.maildrops = new SqlMaildrops(jdbc, clock);
        this.queue = new SqlQueue(jdbc, clock);
        this.mailboxes = new SqlMailboxes(jdbc, clock);
        this.dkimKeys = new SqlDkimKeys(jdbc, clock);
        this.senders = new SqlSenders(jdbc, clock);
    }

    /** A store with its own connection pool, closed with the store. The database is not contacted yet. */
    public static PostgresMailStore open(Settings settings, Clock clock, PasswordHashing hashing, Path spoolDirectory) {
        HikariDataSource pool = new HikariDataSource(poolConfig(settings));
        return new PostgresMailStore(pool, pool, clock, () -> hashing, spoolDirectory);
    }

    /**
     * The {@code application_name} of the server's connections ({@code pg_stat_activity}); admin
     * commands use {@code mailwright-admin}, so that {@code db restore} can tell a running server.
     */
    public static final String APPLICATION_NAME = "mailwright";

    /** The pool configuration the store uses; also for callers that build the pool themselves. */
    public static HikariConfig poolConfig(Settings settings) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("mailwright-store");
        config.setJdbcUrl(settings.jdbcUrl());
        settings.user().ifPresent(config::setUsername);
        settings.password().ifPresent(config::setPassword);
        config.setMaximumPoolSize(settings.poolSize());
        config.setMinimumIdle(Math.min(2, settings.poolSize()));
        config.setConnectionTimeout(Math.max(250, settings.connectionTimeout().toMillis()));
        config.setValidationTimeout(Math.max(250, Math.min(settings.connectionTimeout().toMillis(), 5000)));
        config.setAutoCommit(true);
        // start even while the database is down; calls fail with StoreUnavailableException until it is back
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("tcpKeepAlive", "true");
        if (!settings.socketTimeout().isZero()) {
            // the driver's own property: a socketTimeout in the URL takes precedence over it
            config.addDataSourceProperty("socketTimeout", Long.toString(Math.max(1, settings.socketTimeout().toSeconds())));
        }
        config.addDataSourceProperty("ApplicationName", APPLICATION_NAME);
        return config;
    }

    @Override
    public Domains domains() {
        return domains;
    }

    @Override
    public Accounts accounts() {
        return accounts;
    }

    @Override
    public Aliases aliases() {
        return aliases;
    }

    @Override
    public Recipients recipients() {
        return recipients;
    }

    @Override
    public Deliveries deliveries() {
        return deliveries;
    }

    @Override
    public Maildrops maildrops() {
        return maildrops;
    }

    /**
     * Names the server node this store serves, stable across the node's restarts: maildrop locks
     * taken from now on carry it, and those the node's previous run left behind (its POP3
     * sessions died with it) are released at once instead of when their leases run out. Call it
     * once at start, and only where no other running process is that node. Returns how many
     * locks were released.
     */
    public int takeOverNode(String node) {
        return maildrops.takeOverNode(node);
    }

    @Override
    public OutboundQueue queue() {
        return queue;
    }

    @Override
    public Mailboxes mailboxes() {
        return mailboxes;
    }

    @Override
    public DkimKeys dkimKeys() {
        return dkimKeys;
    }

    @Override
    public Secrets secrets() {
        return secrets;
    }

    @Override
    public Greylist greylist() {
        return greylist;
    }

    @Override
    public RateCounters rateCounters() {
        return rateCounters;
    }

    @Override
    public Senders senders() {
        return senders;
    }

    @Override
    public dev.mailwright.store.TlsReports tlsReports() {
        return tlsReports;
    }

    @Override
    public void close() {
        directoryCache.close();
        if (ownedPool != null) {
            ownedPool.close();
        }
    }
}
