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
    void databaseThatIsNotThereIsUnavailable() {
        TestDatabase db = TestDatabases.empty();
        TestDatabase missing = new TestDatabase("nowhere", db.jdbcUrl().replace(db.name(), "mw_no_such_database"),
                db.user(), db.password());
        assertThatThrownBy(() -> new SchemaMigrator(missing.dataSource()).migrate())
                .isInstanceOf(dev.mailwright.store.StoreException.class);
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
}
