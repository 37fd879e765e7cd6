package dev.mailwright.server;

import dev.mailwright.server.config.StartupException;
import dev.mailwright.admin.AdminContext;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.store.ForwardingMailStore;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.StoreUnavailableException;
import dev.mailwright.store.postgres.LogicalBackup;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationState;

/**
 * The admin commands' view of the server configuration (ADR 0001): the same database (the
 * running embedded PostgreSQL if there is one, else started for the command; one connection,
 * ADR 0022), the same certificate and listeners.
 */
final class LauncherAdminContext implements AdminContext {

    private final ServerConfig config;
    private final String source;

    LauncherAdminContext(ServerConfig config, String source) {
        this.config = config;
        this.source = source;
    }

    private Database open(Database.Schema schema) {
        try {
            return Database.forCommand(config, schema);
        } catch (StartupException e) {
            throw new StoreUnavailableException(e.getMessage(), e);
        }
    }

    /** Our SPF, DKIM key, MTA-STS policy and TLS reporting as the world sees them, through the system's resolvers. */
    @Override
    public List<PublishedCheck> published(String domain, List<dev.mailwright.store.DkimKey> keys) {
        dev.mailwright.dns.DnsLookup dns = new dev.mailwright.dns.DnsjavaLookup(config.mailAuth().dnsTimeout());
        return new PublishedRecords(dns, dev.mailwright.outbound.mtasts.PolicyFetcher.standard(java.time.Duration.ofSeconds(20)),
                config.hostname()).check(domain, keys);
    }

    @Override
    public MailStore openStore() {
        Database db = open(Database.Schema.VALIDATE);
        return new DatabaseStore(db);
    }

    @Override
    public Optional<DatabaseSchema> schema() {
        return Optional.of(new DatabaseSchema() {
            @Override
            public SchemaStatus status() {
                try (Database db = open(Database.Schema.IGNORE)) {
                    return history(db);
                }
            }

            @Override
            public SchemaStatus migrate() {
                try (Database db = open(Database.Schema.MIGRATE)) {
                    return history(db);
                }
            }
        });
    }

    @Override
    public Optional<DatabaseRole> databaseRole() {
        try (Database db = open(Database.Schema.IGNORE);
             java.sql.Connection c = db.dataSource().getConnection();
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")) {
            return rs.next() ? Optional.of(new DatabaseRole(rs.getString(1), rs.getBoolean(2))) : Optional.empty();
        } catch (java.sql.SQLException e) {
            throw new StoreUnavailableException("could not read the database role: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<DatabaseBackup> backup() {
        return Optional.of(new DatabaseBackup() {
            @Override
            public BackupSummary dump(Path file) {
                try (Database db = open(Database.Schema.IGNORE)) {
                    return summary(LogicalBackup.dump(db.dataSource(), file));
                }
            }

            @Override
            public BackupSummary restore(Path file, boolean replace) {
                try (Database db = open(Database.Schema.IGNORE)) {
                    return summary(LogicalBackup.restore(db.dataSource(), file, replace));
                }
            }
        });
    }

    private static BackupSummary summary(LogicalBackup.Summary s) {
        return new BackupSummary(s.schemaVersion(), s.rows());
    }

    private static SchemaStatus history(Database db) {
        Flyway flyway = Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").load();
        List<Migration> applied = new ArrayList<>();
        List<Migration> pending = new ArrayList<>();
        Arrays.stream(flyway.info().all()).filter(m -> m.getVersion() != null).forEach(m -> {
            Migration row = new Migration(m.getVersion().getVersion(), m.getDescription(),
                    Optional.ofNullable(m.getInstalledOn()).map(d -> d.toInstant()));
            if (m.getState() == MigrationState.PENDING) {
                pending.add(row);
            } else if (m.getState().isApplied()) {
                applied.add(row);
            }
        });
        return new SchemaStatus(applied, pending);
    }

    @Override
    public String configurationSource() {
        return source;
    }

    @Override
    public String hostname() {
        return config.hostname();
    }

    @Override
    public Optional<String> postmaster() {
        return config.smtp().postmaster().map(Object::toString);
    }

    @Override
    public Path dataDirectory() {
        return config.dataDir();
    }

    @Override
    public Optional<Path> certificate() {
        return config.tls().certificate();
    }

    @Override
    public List<Listener> listeners() {
        return ServerConfig.LISTENER_NAMES.stream().map(config::listener).filter(ServerConfig.Listener::enabled)
                .map(l -> new Listener(l.name(), l.address(), l.port())).toList();
    }

    /** The store of a database opened for one command; closing it closes the database. */
    private static final class DatabaseStore extends ForwardingMailStore {
        private final Database db;

        DatabaseStore(Database db) {
            super(db.store());
            this.db = db;
        }

        @Override
        public void close() {
            db.close();
        }
    }
}
