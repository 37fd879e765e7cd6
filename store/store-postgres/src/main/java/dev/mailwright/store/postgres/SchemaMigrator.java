package dev.mailwright.store.postgres;

import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationInfoService;
import org.flywaydb.core.api.MigrationState;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database schema to the version this build knows ({@code db/migration}, Flyway),
 * and refuses to touch a schema that a newer build has migrated further: running old code on
 * a newer schema could lose mail.
 */
public final class SchemaMigrator {

    private static final Logger LOG = LoggerFactory.getLogger(SchemaMigrator.class);
    private static final String LOCATION = "classpath:db/migration";

    /**
     * The versions of this build's migrations in {@code db/migration}, oldest first (a test
     * checks this list against the files): what a current schema history lists.
     */
    static final List<String> BUNDLED_VERSIONS = List.of("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14");

    /** Where the schema stands. */
    public record Status(Optional<String> current, String latestKnown, int pending, List<String> newerThanThisBuild) {
        public Status {
            newerThanThisBuild = List.copyOf(newerThanThisBuild);
        }

        /** Whether the schema was migrated by a newer build. */
        public boolean isNewerThanThisBuild() {
            return !newerThanThisBuild.isEmpty();
        }

        public boolean isUpToDate() {
            return pending == 0 && newerThanThisBuild.isEmpty();
        }
    }

    /** The schema is newer than this build: upgrade the program instead. */
    public static final class SchemaTooNewException extends StoreException {
        private static final long serialVersionUID = 1L;

        public SchemaTooNewException(String message) {
            super(message);
        }
    }

    private final DataSource dataSource;
    private final boolean bundledLocation;
    private final String[] locations;
    private Flyway flyway;

    public SchemaMigrator(DataSource dataSource) {
        this(dataSource, LOCATION);
    }

    /** With other migration locations; for tests that need to simulate another build. */
    public SchemaMigrator(DataSource dataSource, String... locations) {
        this.dataSource = dataSource;
        this.locations = locations.clone();
        this.bundledLocation = Arrays.equals(locations, new String[] {LOCATION});
    }

    /** Flyway, configured on first use: loading it and scanning the jar for migrations takes a while. */
    private synchronized Flyway flyway() {
        if (flyway == null) {
            flyway = Flyway.configure()
                    .dataSource(dataSource)
                    .locations(locations)
                    .ignoreMigrationPatterns(new String[0]) // a future (newer) migration fails validation
                    .validateOnMigrate(true)
                    .cleanDisabled(true)
                    .failOnMissingLocations(true)
                    .load();
        }
        return flyway;
    }

    /**
     * {@link #migrate}, but without Flyway when the schema history lists exactly this build's
     * migrations, all successful (one query): the server's start. What that skips is Flyway's
     * validation of the applied migrations' checksums and descriptions against the bundled
     * files, which only an edited released migration could fail; {@link #migrate} and
     * {@link #validate} (the admin commands) still check them. Anything else (an empty
     * database, pending migrations, a failed one, a schema of a newer build, an unreachable
     * database) goes to {@link #migrate}, with its messages.
     */
    public int migrateIfBehind() {
        if (bundledLocation && historyListsExactlyThisBuild()) {
            LOG.debug("database schema is at version {}; no migration needed",
                    BUNDLED_VERSIONS.get(BUNDLED_VERSIONS.size() - 1));
            return 0;
        }
        return migrate();
    }

    private boolean historyListsExactlyThisBuild() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, success FROM flyway_schema_history"
                     + " WHERE version IS NOT NULL ORDER BY installed_rank")) {
            List<String> applied = new ArrayList<>();
            while (rs.next()) {
                if (!rs.getBoolean(2)) {
                    return false;
                }
                applied.add(rs.getString(1));
            }
            return applied.equals(BUNDLED_VERSIONS);
        } catch (SQLException e) {
            return false; // no history yet, or the database is away: Flyway's path reports it
        }
    }

    /** Applies pending migrations; returns how many ran. */
    public int migrate() {
        try {
            // one pass over the history: validation on migrate fails on a migration this build does not know
            MigrateResult result = flyway().migrate();
            if (result.migrationsExecuted > 0) {
                LOG.info("database schema migrated to version {} ({} migration(s))", result.targetSchemaVersion,
                        result.migrationsExecuted);
            }
            return result.migrationsExecuted;
        } catch (FlywayException e) {
            StoreException failure = failure("database migration failed", e);
            if (!(failure instanceof StoreUnavailableException)) {
                refuseNewer(status()); // the clearer message when a newer build migrated the schema
            }
            throw failure;
        }
    }

    /**
     * {@link #validate}, but without Flyway when the schema history lists exactly this build's
     * migrations, all successful (one query, as {@link #migrateIfBehind} at the server's start):
     * the admin commands, which must not take a second to load Flyway and scan the jar each. It
     * skips the same checksum comparison; {@code db status} and {@link #validate} still make it.
     */
    public void requireCurrent() {
        if (bundledLocation && historyListsExactlyThisBuild()) {
            return;
        }
        validate();
    }

    /** Checks that the schema is exactly what this build expects, without changing it. */
    public void validate() {
        Status status = status();
        refuseNewer(status);
        if (status.pending() > 0) {
            throw new StoreException("database schema needs " + status.pending() + " migration(s); run db migrate");
        }
        try {
            flyway().validate();
        } catch (FlywayException e) {
            throw failure("database schema does not match this build", e);
        }
    }

    public Status status() {
        try {
            MigrationInfoService info = flyway().info();
            MigrationInfo current = info.current();
            MigrationInfo[] all = info.all();
            String latest = Arrays.stream(all)
                    .filter(m -> m.getState() != MigrationState.FUTURE_SUCCESS && m.getState() != MigrationState.FUTURE_FAILED)
                    .filter(m -> m.getVersion() != null)
                    .reduce((a, b) -> b).map(m -> m.getVersion().getVersion()).orElse("none");
            List<String> future = Arrays.stream(all)
                    .filter(m -> m.getState() == MigrationState.FUTURE_SUCCESS || m.getState() == MigrationState.FUTURE_FAILED)
                    .map(m -> m.getVersion() + " " + m.getDescription()).toList();
            return new Status(Optional.ofNullable(current).map(m -> m.getVersion().getVersion()), latest,
                    info.pending().length, future);
        } catch (FlywayException e) {
            throw failure("could not read the schema history", e);
        }
    }

    private static void refuseNewer(Status status) {
        if (status.isNewerThanThisBuild()) {
            throw new SchemaTooNewException("database schema (version " + status.current().orElse("?")
                    + ") is newer than this build knows (" + status.latestKnown() + "): "
                    + String.join(", ", status.newerThanThisBuild()) + "; upgrade Mailwright");
        }
    }

    private static StoreException failure(String what, FlywayException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return new StoreUnavailableException(what + ": database unavailable", e);
            }
        }
        return new StoreException(what + ": " + e.getMessage(), e);
    }
}
