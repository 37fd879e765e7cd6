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

/** Group commit against a real PostgreSQL: shared statements, and one failure never fails the others. */
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

    /** A row to insert; {@code hold}, when given, keeps the statement that writes it from starting. */
    private record Row(String name, CountDownLatch started, CountDownLatch hold) {
        Row(String name) {
            this(name, null, null);
        }

        void await() {
            if (hold != null) {
                started.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** Inserts rows and gives each the id of the transaction that wrote it; {@link #statements} counts calls. */
    private static final class Rows implements GroupCommit.Batch<Row, Long> {
        final List<Integer> statements = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public Long one(Connection c, Row row) throws SQLException {
            row.await();
            statements.add(1);
            try (PreparedStatement ps = c.prepareStatement(
                    "WITH i AS (INSERT INTO gc_test VALUES (?)) SELECT txid_current()")) {
                ps.setString(1, row.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        @Override
        public List<Long> all(Connection c, List<Row> rows) throws SQLException {
            rows.forEach(Row::await);
            statements.add(rows.size());
            try (PreparedStatement ps = c.prepareStatement(
                    "WITH i AS (INSERT INTO gc_test SELECT unnest(?::text[])) SELECT txid_current()")) {
                ps.setArray(1, c.createArrayOf("text", rows.stream().map(Row::name).toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    long txid = rs.getLong(1);
                    return rows.stream().map(r -> txid).toList();
                }
            }
        }
    }

    /**
     * Holds the one lane with a first row until all {@code rows} are waiting, so that they are
     * sure to share the next statement.
     */
    private List<CompletableFuture<Long>> queueBehindABusyLane(GroupCommit<Row, Long> gc, List<Row> rows)
            throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Long> first = CompletableFuture.supplyAsync(
                () -> gc.commit("t", 1, new Row("first", started, release)), threads);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        List<CompletableFuture<Long>> rest = new ArrayList<>();
        for (Row row : rows) {
            rest.add(CompletableFuture.supplyAsync(() -> gc.commit("t", 1, row), threads));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (gc.queued() < rows.size() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(gc.queued()).isEqualTo(rows.size());
        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        return rest;
    }

    @Test
    void deliveriesThatWaitedShareOneStatement() throws Exception {
        Rows batch = new Rows();
        GroupCommit<Row, Long> gc = new GroupCommit<>(jdbc, 1, batch);
        List<CompletableFuture<Long>> rest = queueBehindABusyLane(gc, List.of(new Row("a"), new Row("b"), new Row("c")));
        List<Long> txids = new ArrayList<>();
        for (CompletableFuture<Long> f : rest) {
            txids.add(f.get(10, TimeUnit.SECONDS));
        }
        assertThat(txids).hasSize(3).containsOnly(txids.get(0));
        assertThat(batch.statements).containsExactly(1, 3);
        assertThat(rows()).containsExactlyInAnyOrder("first", "a", "b", "c");
    }

    @Test
    void oneFailingDeliveryFailsAloneAndTheOthersAreStored() throws Exception {
        Rows batch = new Rows();
        GroupCommit<Row, Long> gc = new GroupCommit<>(jdbc, 1, batch);
        List<CompletableFuture<Long>> rest = queueBehindABusyLane(gc,
                List.of(new Row("a"), new Row("first") /* duplicate key */, new Row("c")));
        assertThat(rest.get(0).get(10, TimeUnit.SECONDS)).isPositive();
        assertThatThrownBy(() -> rest.get(1).join()).hasCauseInstanceOf(StoreException.class);
        assertThat(rest.get(2).get(10, TimeUnit.SECONDS)).isPositive();
        // the shared statement failed as a whole, then each row went alone
        assertThat(batch.statements).containsExactly(1, 3, 1, 1, 1);
        assertThat(rows()).containsExactlyInAnyOrder("first", "a", "c");
    }

    @Test
    void aLoneDeliveryRunsAsItsOwnStatement() {
        Rows batch = new Rows();
        GroupCommit<Row, Long> gc = new GroupCommit<>(jdbc, 2, batch);
        long tx1 = gc.commit("t", 7, new Row("x"));
        long tx2 = gc.commit("t", 7, new Row("y"));
        assertThat(tx1).isNotEqualTo(tx2);
        assertThat(batch.statements).containsExactly(1, 1);
        assertThat(rows()).containsExactlyInAnyOrder("x", "y");
        assertThat(gc.queued()).isZero();
    }

    @Test
    void manyConcurrentDeliveriesAreAllStoredOnce() throws Exception {
        GroupCommit<Row, Long> gc = new GroupCommit<>(jdbc, 3, new Rows());
        List<CompletableFuture<Long>> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            Row row = new Row("m" + i);
            long account = i % 5;
            all.add(CompletableFuture.supplyAsync(() -> gc.commit("t", account, row), threads));
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
