package dev.mailwright.store.postgres.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Group commit against a real PostgreSQL: shared transactions, and one failure never fails the others. */
class GroupCommitTest {

    private static HikariDataSource pool;
    private static Jdbc jdbc;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @BeforeAll
    static void database() {
        pool = TestDatabases.fresh().pool(6);
        jdbc = new Jdbc(pool);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    @BeforeEach
    void table() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS gc_test");
            s.execute("CREATE TABLE gc_test (name text PRIMARY KEY)");
        }
    }

    /** Inserts a row and returns the id of the transaction it ran in. */
    private static Jdbc.Work<Long> insert(String name) {
        return c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "WITH i AS (INSERT INTO gc_test VALUES (?)) SELECT txid_current()")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        };
    }

    /**
     * Holds the one lane with a first piece of work until {@code queued} more are waiting, so
     * that they are sure to share the next transaction.
     */
    private List<CompletableFuture<Long>> queueBehindABusyLane(GroupCommit gc, List<Jdbc.Work<Long>> works)
            throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> first = CompletableFuture.supplyAsync(() -> gc.commit("t", 1, c -> {
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return insert("first").run(c);
        }), threads);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Long>> rest = new ArrayList<>();
        for (Jdbc.Work<Long> w : works) {
            rest.add(CompletableFuture.supplyAsync(() -> gc.commit("t", 1, w), threads));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gc.queued() < works.size() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gc.queued()).isEqualTo(works.size());
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        return rest;
    }

    @Test
    void deliveriesThatWaitedShareOneTransaction() throws Exception {
        GroupCommit gc = new GroupCommit(jdbc, 1);
        List<CompletableFuture<Long>> rest = queueBehindABusyLane(gc, List.of(insert("a"), insert("b"), insert("c")));
        List<Long> txids = new ArrayList<>();
        for (CompletableFuture<Long> f : rest) {
            txids.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(txids).hasSize(3).containsOnly(txids.get(0));
        assertThat(rows()).containsExactlyInAnyOrder("first", "a", "b", "c");
    }

    @Test
    void oneFailingDeliveryFailsAloneAndTheOthersAreStored() throws Exception {
        GroupCommit gc = new GroupCommit(jdbc, 1);
        List<CompletableFuture<Long>> rest = queueBehindABusyLane(gc,
                List.of(insert("a"), insert("first") /* duplicate key */, insert("c")));
        assertThat(rest.get(0).get(10, TimeUnit.SECONDS)).isPositive();
        assertThatThrownBy(() -> rest.get(1).join()).hasCauseInstanceOf(StoreException.class);
        assertThat(rest.get(2).get(10, TimeUnit.SECONDS)).isPositive();
        assertThat(rows()).containsExactlyInAnyOrder("first", "a", "c");
    }

    @Test
    void aLoneDeliveryRunsAsItsOwnStatement() {
        GroupCommit gc = new GroupCommit(jdbc, 2);
        long tx1 = gc.commit("t", 7, insert("x"));
        long tx2 = gc.commit("t", 7, insert("y"));
        assertThat(tx1).isNotEqualTo(tx2);
        assertThat(rows()).containsExactlyInAnyOrder("x", "y");
        assertThat(gc.queued()).isZero();
    }

    @Test
    void manyConcurrentDeliveriesAreAllStoredOnce() throws Exception {
        GroupCommit gc = new GroupCommit(jdbc, 3);
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String name = "m" + i;
            long account = i % 5;
            all.add(CompletableFuture.supplyAsync(() -> gc.commit("t", account, insert(name)), threads));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(rows()).hasSize(400).doesNotHaveDuplicates();
    }

    private static List<String> rows() {
        return jdbc.call("rows", c -> {
            List<String> out = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT name FROM gc_test")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }
}
