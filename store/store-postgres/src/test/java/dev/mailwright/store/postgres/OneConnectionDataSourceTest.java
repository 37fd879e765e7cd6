package dev.mailwright.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An admin command's data source: one backend for all its work, a second only for nested work, nothing left open. */
class OneConnectionDataSourceTest {

    private TestDatabase db;
    private OneConnectionDataSource source;

    @BeforeEach
    void open() {
        db = TestDatabases.fresh();
        source = new OneConnectionDataSource(db.jdbcUrl(), Optional.ofNullable(db.user()), Optional.ofNullable(db.password()),
                "mailwright-admin", Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        source.close();
    }

    private static int backend(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void everyUnitOfWorkGetsTheSameBackend() throws SQLException {
        int first;
        try (Connection c = source.getConnection()) {
            first = backend(c);
        }
        for (int i = 0; i < 3; i++) {
            try (Connection c = source.getConnection()) {
                assertThat(backend(c)).isEqualTo(first);
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT application_name"
                        + " FROM pg_stat_activity WHERE pid = pg_backend_pid()")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("mailwright-admin");
                }
            }
        }
        assertThat(source.openConnections()).isEqualTo(1);
    }

    @Test
    void workLeftUncommittedIsRolledBackWhenHandedBack() throws SQLException {
        try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO domains (name, created) VALUES ('left.test', now())");
        }
        try (Connection c = source.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM domains WHERE name = 'left.test'")) {
            assertThat(c.getAutoCommit()).as("handed out in auto-commit again").isTrue();
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void nestedWorkGetsASecondConnectionThatIsClosedWhenHandedBack() throws SQLException {
        try (Connection outer = source.getConnection()) {
            int outerBackend = backend(outer);
            try (Connection inner = source.getConnection()) {
                assertThat(backend(inner)).isNotEqualTo(outerBackend);
                assertThat(source.openConnections()).isEqualTo(2);
            }
            assertThat(backend(outer)).as("the outer handle still works").isEqualTo(outerBackend);
        }
        assertThat(source.openConnections()).isEqualTo(1);
    }

    @Test
    void aConnectionThatDiedIsReplaced() throws SQLException {
        int dead;
        try (Connection c = source.getConnection()) {
            dead = backend(c);
        }
        try (Connection admin = db.dataSource().getConnection(); Statement s = admin.createStatement()) {
            s.execute("SELECT pg_terminate_backend(" + dead + ")");
        }
        try (Connection c = source.getConnection(); Statement s = c.createStatement()) {
            assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
        }
        try (Connection c = source.getConnection()) {
            assertThat(backend(c)).isNotEqualTo(dead);
        }
        assertThat(source.openConnections()).isEqualTo(1);
    }

    @Test
    void closingItClosesTheConnection() throws SQLException {
        source.getConnection().close();
        source.close();
        assertThat(source.openConnections()).isZero();
        assertThatThrownBy(source::getConnection).isInstanceOf(SQLException.class);
    }

    @Test
    void theStoreAsksForPasswordHashingOnlyWhenAPasswordIsHashed() {
        AtomicInteger asked = new AtomicInteger();
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());
        try (MailStore store = new PostgresMailStore(source, Clock.systemUTC(), () -> {
            asked.incrementAndGet();
            return hashing;
        }, null)) {
            store.domains().add("example.org");
            assertThat(store.accounts().list(Optional.empty())).isEmpty();
            assertThat(asked).as("listing hashes nothing").hasValue(0);
            store.accounts().add(Address.parse("alice@example.org"), "alice-secret-1".toCharArray());
            assertThat(asked.get()).isPositive();
        }
    }
}
