package dev.mailwright.store.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.StoreUnavailableException;
import dev.mailwright.store.postgres.embedded.PrimaryAndStandby;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.io.IOException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store over a primary that fails over to its synchronous standby: while there is no
 * primary every call fails with {@link StoreUnavailableException}; after the promotion the same
 * store (same pool, nobody restarts it) finds the new primary through the multi-host URL, and
 * what was committed before is there. A pooled connection that lands on a read-only server is
 * not kept: writes on it fail as temporary, and the pool replaces it.
 */
@Timeout(180)
class FailoverTest {

    private static final PasswordHashing HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());
    private static final int READ_ONLY_ATTEMPTS = 3;
    private static final Duration SILENT_TIMEOUT = Duration.ofSeconds(2);
    /** A generous bound for finding the promoted standby; a stalled pool never does. */
    private static final Duration RECOVERY = Duration.ofSeconds(60);

    private static PostgresMailStore.Settings settings(String url, String user, String password) {
        return new PostgresMailStore.Settings(url, Optional.of(user), Optional.of(password), 4, Duration.ofSeconds(2));
    }

    private static void deliver(PostgresMailStore store, Account to, String subject) throws IOException {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()))) {
            d.addLocal(new LocalRecipient(to.id(), to.address()), 0L);
            d.content().write(("Subject: " + subject + "\r\n\r\nbody\r\n").getBytes(UTF_8));
            d.commit();
        }
    }

    @Test
    void theSameStoreWritesToThePromotedStandbyAndKeepsWhatWasCommitted() throws Exception {
        try (PrimaryAndStandby pg = PrimaryAndStandby.start("mailwright")) {
            new SchemaMigrator(pg.primaryDataSource()).migrate();
            String url = pg.multiHostUrl("connectTimeout=2&socketTimeout=30");
            try (PostgresMailStore store = PostgresMailStore.open(settings(url, pg.user(), pg.password()),
                    Clock.systemUTC(), HASHING, null)) {
                store.domains().add("example.org");
                Account ann = store.accounts().add(Address.parse("ann@example.org"), "ann-password".toCharArray());
                deliver(store, ann, "before");

                pg.crashPrimary();
                // the standby answers, but is no primary: nothing can be written, nothing is
                assertThatThrownBy(() -> deliver(store, ann, "during")).isInstanceOf(StoreUnavailableException.class);
                assertThatThrownBy(() -> store.accounts().get(ann.id())).isInstanceOf(StoreUnavailableException.class);

                pg.promoteStandby();
                deliver(store, ann, "after");
                assertThat(store.accounts().get(ann.id()).orElseThrow().usage().messages()).isEqualTo(2);
                assertThatThrownBy(() -> store.domains().add("example.org")).isInstanceOf(AlreadyExistsException.class);
            }
        }
    }

    @Test
    void aPrimaryThatGoesSilentIsLeftForThePromotedStandbyAfterTheSocketTimeout() throws Exception {
        try (PrimaryAndStandby pg = PrimaryAndStandby.start("mailwright")) {
            new SchemaMigrator(pg.primaryDataSource()).migrate();
            // no socketTimeout in the URL: the store's setting is what bounds a wait for the frozen primary
            PostgresMailStore.Settings settings = new PostgresMailStore.Settings(pg.multiHostUrl("connectTimeout=2"),
                    Optional.of(pg.user()), Optional.of(pg.password()), 4, Duration.ofSeconds(2), SILENT_TIMEOUT);
            try (PostgresMailStore store = PostgresMailStore.open(settings, Clock.systemUTC(), HASHING, null)) {
                store.domains().add("example.org");
                Account ann = store.accounts().add(Address.parse("ann@example.org"), "ann-password".toCharArray());
                deliver(store, ann, "before");

                pg.freezePrimary(); // its port still takes connections; nothing answers on them
                pg.promoteStandby();
                long deadline = System.nanoTime() + RECOVERY.toNanos();
                int refused = 0;
                while (true) {
                    try {
                        deliver(store, ann, "after");
                        break;
                    } catch (StoreUnavailableException e) {
                        refused++;
                        assertThat(System.nanoTime()).as("still unavailable after %d attempts: %s", refused, e.getMessage())
                                .isLessThan(deadline);
                    }
                }
                assertThat(store.accounts().get(ann.id()).orElseThrow().usage().messages()).isEqualTo(2);
            }
        }
    }

    @Test
    void aConnectionToAReadOnlyServerIsReplacedAfterAFailedWrite() throws Exception {
        TestDatabase db = TestDatabases.fresh();
        setReadOnly(db, true);
        try (PostgresMailStore store = PostgresMailStore.open(db.settings(2), Clock.systemUTC(), HASHING, null)) {
            // a server that cannot write (a standby, a demoted primary): temporary, not a refusal
            assertThatThrownBy(() -> store.domains().add("example.org")).isInstanceOf(StoreUnavailableException.class);
            assertThat(store.domains().list()).isEmpty();
            store.domains().list(); // the pool holds connections made while the server was read-only

            setReadOnly(db, false);
            // the writable server is reached again as soon as the pooled read-only connection failed
            StoreUnavailableException last = null;
            for (int attempt = 1; attempt <= READ_ONLY_ATTEMPTS; attempt++) {
                try {
                    store.domains().add("example.org");
                    last = null;
                    break;
                } catch (StoreUnavailableException e) {
                    last = e;
                }
            }
            assertThat(last).as("still refused after %d attempts", READ_ONLY_ATTEMPTS).isNull();
            assertThat(store.domains().list()).hasSize(1);
        }
    }

    @Test
    void theSocketTimeoutReachesThePooledConnectionsAndOneInTheUrlWins() throws SQLException {
        TestDatabase db = TestDatabases.fresh();
        PostgresMailStore.Settings settings = new PostgresMailStore.Settings(db.jdbcUrl(), Optional.of(db.user()),
                Optional.ofNullable(db.password()), 1, Duration.ofSeconds(5), Duration.ofSeconds(7));
        try (HikariDataSource pool = new HikariDataSource(PostgresMailStore.poolConfig(settings));
             Connection c = pool.getConnection()) {
            assertThat(c.getNetworkTimeout()).isEqualTo(7_000);
        }
        String url = db.jdbcUrl() + (db.jdbcUrl().contains("?") ? "&" : "?") + "socketTimeout=3";
        PostgresMailStore.Settings inUrl = new PostgresMailStore.Settings(url, Optional.of(db.user()),
                Optional.ofNullable(db.password()), 1, Duration.ofSeconds(5), Duration.ofSeconds(7));
        try (HikariDataSource pool = new HikariDataSource(PostgresMailStore.poolConfig(inUrl));
             Connection c = pool.getConnection()) {
            assertThat(c.getNetworkTimeout()).isEqualTo(3_000);
        }
    }

    /** Like a server in recovery for new sessions: {@code default_transaction_read_only} on the database. */
    private static void setReadOnly(TestDatabase db, boolean readOnly) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("SET default_transaction_read_only = off");
            s.execute("ALTER DATABASE " + db.name() + " SET default_transaction_read_only = " + (readOnly ? "on" : "off"));
        }
    }
}
