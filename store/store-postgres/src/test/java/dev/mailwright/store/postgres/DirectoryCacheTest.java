package dev.mailwright.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.Quota;
import dev.mailwright.store.Resolution;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.lang.reflect.Proxy;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resolutions remembered between deliveries: a repeated RCPT needs no connection, and a change
 * is seen at once when made through the store, and within moments when made by anyone else
 * (another process, another node: here plain SQL on another connection).
 */
class DirectoryCacheTest {

    private static TestDatabase database;
    private static HikariDataSource pool;
    private final AtomicInteger borrowed = new AtomicInteger();
    private PostgresMailStore store;
    private Account alice;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabases.fresh();
        pool = database.pool(4);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @BeforeEach
    void openStore() {
        database.truncate();
        store = new PostgresMailStore(counting(pool), Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
        store.domains().add("example.org");
        alice = store.accounts().add(Address.parse("alice@example.org"), "alice-secret-1".toCharArray());
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** A data source that counts the connections taken from {@code target}. */
    private DataSource counting(DataSource target) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        borrowed.incrementAndGet();
                    }
                    try {
                        return method.invoke(target, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private Resolution resolve(String address) {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Instant.now()))) {
            return d.addRecipient(Address.parse(address), 100);
        }
    }

    /** Resolves until a resolution takes no connection (the listener is up and the entry is in). */
    private void untilRemembered(String address) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            resolve(address);
            int before = borrowed.get();
            resolve(address);
            if (borrowed.get() == before) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(address + " was never remembered");
    }

    /** Resolves until {@code expected} holds, failing after a few seconds. */
    private void eventually(String address, Predicate<Resolution> expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!expected.test(resolve(address))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("resolution of " + address + " never changed: " + resolve(address));
            }
            Thread.sleep(20);
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    private static long count(String query) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aRepeatedRecipientIsResolvedWithoutTheDatabase() throws Exception {
        untilRemembered("alice@example.org");
        int before = borrowed.get();
        for (int i = 0; i < 20; i++) {
            assertThat(resolve("alice@example.org").local()).extracting(Resolution.LocalRecipient::accountId)
                    .containsExactly(alice.id());
        }
        assertThat(borrowed.get()).isEqualTo(before);
    }

    @Test
    void aDeliverySaysWhatIsRememberedAndKeepsItForItsNextRecipient() throws Exception {
        Address address = Address.parse("alice@example.org");
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Instant.now()))) {
            assertThat(d.remembers(address)).isFalse(); // never resolved yet
        }
        untilRemembered("alice@example.org");
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Instant.now()))) {
            assertThat(d.remembers(address)).isTrue();
            // a change forgets every resolution; the delivery still answers as it promised, from memory
            store.accounts().setQuota(alice.address(), new Quota(1_000_000, 0));
            int before = borrowed.get();
            assertThat(d.addRecipient(address, 100).local()).extracting(Resolution.LocalRecipient::accountId)
                    .containsExactly(alice.id());
            assertThat(borrowed.get()).isEqualTo(before);
        }
        resolve("alice@example.org");
        Thread.sleep(300); // a mailbox with a quota is never remembered
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Instant.now()))) {
            assertThat(d.remembers(address)).isFalse();
        }
    }

    @Test
    void changesThroughTheStoreAreSeenAtOnce() throws Exception {
        untilRemembered("bob@example.org");
        assertThat(resolve("bob@example.org").isEmpty()).isTrue();
        Account bob = store.accounts().add(Address.parse("bob@example.org"), "bob-secret-11".toCharArray());
        assertThat(resolve("bob@example.org").local()).extracting(Resolution.LocalRecipient::accountId)
                .containsExactly(bob.id());

        untilRemembered("team@example.org");
        store.aliases().add("team@example.org", java.util.List.of(alice.address(), bob.address()));
        assertThat(resolve("team@example.org").local()).hasSize(2);

        untilRemembered("alice@example.org");
        store.accounts().remove(alice.address());
        assertThat(resolve("alice@example.org").isEmpty()).isTrue();
    }

    @Test
    void changesByAnotherProcessAreSeenWithinMoments() throws Exception {
        untilRemembered("alice@example.org");
        untilRemembered("carol@example.org");
        sql("INSERT INTO aliases (source_key, source, domain, targets) VALUES"
                + " ('carol@example.org', 'carol@example.org', 'example.org', ARRAY['alice@example.org'])");
        eventually("carol@example.org", r -> r.local().size() == 1);
        sql("UPDATE accounts SET address = 'alice2@example.org', address_key = 'alice2@example.org'");
        eventually("alice@example.org", r -> r.local().isEmpty());
    }

    @Test
    void aMailboxWithAQuotaIsReadEveryTime() throws Exception {
        store.accounts().setQuota(alice.address(), new Quota(1_000_000, 0));
        resolve("alice@example.org");
        Thread.sleep(300); // time for the listener to start: still nothing may be remembered
        for (int i = 0; i < 5; i++) {
            int before = borrowed.get();
            resolve("alice@example.org");
            assertThat(borrowed.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void aListenerThatLostItsConnectionForgetsEverythingAndListensAgain() throws Exception {
        untilRemembered("alice@example.org");
        // the listener's connection dies; a change made meanwhile has no one to notify
        assertThat(count("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                + " WHERE datname = current_database() AND query LIKE 'LISTEN%'")).isEqualTo(1);
        sql("UPDATE accounts SET address = 'alice3@example.org', address_key = 'alice3@example.org'");
        eventually("alice@example.org", r -> r.local().isEmpty());
        // and it comes back: remembering works again
        untilRemembered("alice3@example.org");
    }
}
