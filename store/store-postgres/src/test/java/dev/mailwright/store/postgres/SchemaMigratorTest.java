package dev.mailwright.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class SchemaMigratorTest {

    @Test
    void freshDatabaseIsMigratedToTheLatestVersion() throws SQLException {
        TestDatabase db = TestDatabases.empty();
        SchemaMigrator migrator = new SchemaMigrator(db.dataSource());
        assertThat(migrator.status().current()).isEmpty();
        assertThat(migrator.status().pending()).isPositive();

        assertThat(migrator.migrate()).isPositive();

        SchemaMigrator.Status status = migrator.status();
        assertThat(status.isUpToDate()).isTrue();
        assertThat(status.current()).contains(status.latestKnown());
        assertThat(tables(db)).contains("accounts", "domains", "mailbox_entries", "message_chunks", "queue");
        migrator.validate();
    }

    @Test
    void migratingAgainChangesNothing() {
        TestDatabase db = TestDatabases.fresh();
        SchemaMigrator migrator = new SchemaMigrator(db.dataSource());
        SchemaMigrator.Status before = migrator.status();

        assertThat(migrator.migrate()).isZero();

        assertThat(migrator.status()).isEqualTo(before);
    }

    @Test
    void schemaOfANewerBuildIsRefused() throws SQLException {
        TestDatabase db = TestDatabases.empty();
        new SchemaMigrator(db.dataSource(), "classpath:db/migration", "classpath:db/future").migrate();
        SchemaMigrator migrator = new SchemaMigrator(db.dataSource());

        assertThat(migrator.status().isNewerThanThisBuild()).isTrue();
        assertThatThrownBy(migrator::migrate).isInstanceOf(SchemaMigrator.SchemaTooNewException.class)
                .hasMessageContaining("999");
        assertThatThrownBy(migrator::validate).isInstanceOf(SchemaMigrator.SchemaTooNewException.class);
        assertThat(tables(db)).contains("newer_build_marker");
    }

    @Test
    void internationalisedDomainsStoredAsTypedBecomeALabelsAndStayFound() throws SQLException {
        TestDatabase db = TestDatabases.empty();
        org.flywaydb.core.Flyway.configure().dataSource(db.dataSource()).locations("classpath:db/migration").target("8")
                .load().migrate();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("INSERT INTO domains (name, created) VALUES ('bücher.example', now()), ('example.org', now())");
            s.execute("INSERT INTO accounts (address, address_key, domain, password_hash, uid_validity, created)"
                    + " VALUES ('Ann@bücher.example', 'ann@bücher.example', 'bücher.example', '{PLAIN}a-good-long-password', 1, now())");
            s.execute("INSERT INTO aliases (source_key, source, domain, targets) VALUES"
                    + " ('@bücher.example', '@bücher.example', 'bücher.example', '{Ann@bücher.example}'),"
                    + " ('info@bücher.example', 'info@bücher.example', 'bücher.example', '{x@example.org}')");
        }
        assertThat(new SchemaMigrator(db.dataSource()).migrate()).as("V9, the conversion, V10 and V11").isEqualTo(3);
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            assertThat(column(s, "SELECT name FROM domains ORDER BY name")).isEqualTo("example.org,xn--bcher-kva.example");
            assertThat(column(s, "SELECT address || ' ' || address_key || ' ' || domain FROM accounts"))
                    .isEqualTo("Ann@bücher.example ann@xn--bcher-kva.example xn--bcher-kva.example");
            assertThat(column(s, "SELECT source_key || ' ' || source || ' ' || domain FROM aliases ORDER BY source_key"))
                    .isEqualTo("@xn--bcher-kva.example @xn--bcher-kva.example xn--bcher-kva.example,"
                            + "info@xn--bcher-kva.example info@bücher.example xn--bcher-kva.example");
        }
        try (PostgresMailStore store = PostgresMailStore.open(db.settings(2), java.time.Clock.systemUTC(),
                new dev.mailwright.password.PasswordHashing(), null)) {
            var ann = store.accounts().get(dev.mailwright.store.Address.parse("ann@bücher.example")).orElseThrow();
            assertThat(store.recipients().resolve(dev.mailwright.store.Address.parse("someone@BÜCHER.example")).local())
                    .extracting(dev.mailwright.store.Resolution.LocalRecipient::accountId).containsExactly(ann.id());
        }
    }

    private static String column(Statement s, String query) throws SQLException {
        StringBuilder sb = new StringBuilder();
        try (ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                sb.append(sb.length() == 0 ? "" : ",").append(rs.getString(1));
            }
        }
        return sb.toString();
    }

    @Test
    void databaseThatIsNotThereIsUnavailable() {
        TestDatabase db = TestDatabases.empty();
        TestDatabase missing = new TestDatabase("nowhere", db.jdbcUrl().replace(db.name(), "mw_no_such_database"),
                db.user(), db.password());
        assertThatThrownBy(() -> new SchemaMigrator(missing.dataSource()).migrate())
                .isInstanceOf(dev.mailwright.store.StoreException.class);
    }

    @Test
    void bundledVersionsAreTheMigrationFilesOfThisBuild() throws Exception {
        java.net.URL dir = SchemaMigrator.class.getClassLoader().getResource("db/migration");
        assertThat(dir).isNotNull();
        java.util.List<String> versions;
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(dir.toURI()))) {
            versions = files.map(f -> f.getFileName().toString()).filter(n -> n.matches("V\\d+__.*\\.(sql|class)")) // SQL files and Java migrations
                    .map(n -> n.substring(1, n.indexOf("__"))).sorted(java.util.Comparator.comparingInt(Integer::parseInt))
                    .toList();
        }
        assertThat(SchemaMigrator.BUNDLED_VERSIONS).as("SchemaMigrator.BUNDLED_VERSIONS lists every migration")
                .isEqualTo(versions);
    }

    @Test
    void migrateIfBehindMigratesAFreshDatabase() {
        TestDatabase db = TestDatabases.empty();
        SchemaMigrator migrator = new SchemaMigrator(db.dataSource());

        assertThat(migrator.migrateIfBehind()).isEqualTo(SchemaMigrator.BUNDLED_VERSIONS.size());

        assertThat(migrator.status().isUpToDate()).isTrue();
        assertThat(migrator.migrateIfBehind()).isZero();
    }

    @Test
    void migrateIfBehindTrustsACurrentHistoryWithoutComparingChecksums() throws SQLException {
        TestDatabase db = TestDatabases.fresh();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE flyway_schema_history SET checksum = 0 WHERE version = '1'"); // as if V1 had been edited
        }
        SchemaMigrator migrator = new SchemaMigrator(db.dataSource());

        assertThat(migrator.migrateIfBehind()).as("the start's fast path: versions only").isZero();
        assertThatThrownBy(migrator::migrate).as("full validation").isInstanceOf(dev.mailwright.store.StoreException.class)
                .hasMessageContaining("checksum");
        assertThatThrownBy(migrator::validate).isInstanceOf(dev.mailwright.store.StoreException.class);
    }

    @Test
    void migrateIfBehindRefusesTheSchemaOfANewerBuild() {
        TestDatabase db = TestDatabases.empty();
        new SchemaMigrator(db.dataSource(), "classpath:db/migration", "classpath:db/future").migrate();

        assertThatThrownBy(new SchemaMigrator(db.dataSource())::migrateIfBehind)
                .isInstanceOf(SchemaMigrator.SchemaTooNewException.class).hasMessageContaining("999");
    }

    @Test
    void migrateIfBehindRetriesAFailedMigrationThroughFlyway() throws SQLException {
        TestDatabase db = TestDatabases.fresh();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE flyway_schema_history SET success = false WHERE version = '"
                    + SchemaMigrator.BUNDLED_VERSIONS.get(SchemaMigrator.BUNDLED_VERSIONS.size() - 1) + "'");
        }

        assertThatThrownBy(new SchemaMigrator(db.dataSource())::migrateIfBehind)
                .isInstanceOf(dev.mailwright.store.StoreException.class).hasMessageContaining("failed");
    }

    @Test
    void migrateIfBehindReportsADatabaseThatIsNotThereAsMigrateDoes() {
        TestDatabase db = TestDatabases.empty();
        TestDatabase missing = new TestDatabase("nowhere", db.jdbcUrl().replace(db.name(), "mw_no_such_database"),
                db.user(), db.password());
        Throwable viaMigrate = org.assertj.core.api.Assertions.catchThrowable(
                () -> new SchemaMigrator(missing.dataSource()).migrate());
        assertThat(viaMigrate).isInstanceOf(dev.mailwright.store.StoreException.class);
        assertThatThrownBy(() -> new SchemaMigrator(missing.dataSource()).migrateIfBehind())
                .isInstanceOf(viaMigrate.getClass()).hasMessage(viaMigrate.getMessage());
    }

    private static java.util.List<String> tables(TestDatabase db) throws SQLException {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    @Test
    void requireCurrentAcceptsThisBuildsSchemaWithOneQueryAndRefusesAnythingElseAsValidateDoes() throws SQLException {
        TestDatabase current = TestDatabases.fresh();
        new SchemaMigrator(current.dataSource()).requireCurrent();

        TestDatabase empty = TestDatabases.empty();
        assertThatThrownBy(() -> new SchemaMigrator(empty.dataSource()).requireCurrent())
                .hasMessageContaining("migration(s); run db migrate");

        TestDatabase failed = TestDatabases.fresh();
        try (Connection c = failed.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("UPDATE flyway_schema_history SET checksum = checksum + 1 WHERE version = '1'");
            s.execute("DELETE FROM flyway_schema_history WHERE version = (SELECT max(version::int)::text"
                    + " FROM flyway_schema_history WHERE version IS NOT NULL)");
        }
        // not exactly this build's history: Flyway's validation runs and finds what is wrong
        assertThatThrownBy(() -> new SchemaMigrator(failed.dataSource()).requireCurrent()).hasMessageContaining("migration");
    }
}
