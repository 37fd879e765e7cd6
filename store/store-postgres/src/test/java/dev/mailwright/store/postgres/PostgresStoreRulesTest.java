package dev.mailwright.store.postgres;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailboxImport;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.QuotaExceededException;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.Usage;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store promises beyond the contract: chunked content, shared once, freed with its last user. */
class PostgresStoreRulesTest {

    private static TestDatabase database;
    private static HikariDataSource pool;
    private MutableClock clock;
    private PostgresMailStore store;

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
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        store = new PostgresMailStore(pool, clock,
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
        store.domains().add("example.org");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private Account user(String address) {
        return store.accounts().add(Address.parse(address), "some-password".toCharArray());
    }

    /** {@code lines} lines of 100 octets each, CRLF included, after a header. */
    private static byte[] message(int lines) {
        StringBuilder sb = new StringBuilder("Subject: chunks\r\n\r\n");
        for (int i = 0; i < lines; i++) {
            String n = String.format("%08d ", i);
            sb.append(n).append("x".repeat(100 - 2 - n.length())).append("\r\n");
        }
        return sb.toString().getBytes(US_ASCII);
    }

    private long count(String table) throws SQLException {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static PasswordHashing scramHashing() {
        return new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()).withScram(600_000);
    }

    @Test
    void theScramStandInOfAnUnknownUserIsTheSameOnEveryNodeAndAfterARestart() throws SQLException {
        // before V12 each process drew its own secret: a restart changed an unknown user's salt, not a real one's
        dev.mailwright.password.ScramCredentials first;
        try (PostgresMailStore node1 = new PostgresMailStore(pool, clock, scramHashing());
             PostgresMailStore node2 = new PostgresMailStore(pool, clock, scramHashing())) {
            first = node1.accounts().scramStandIn("nobody@example.org");
            assertThat(node2.accounts().scramStandIn("nobody@example.org")).as("another node").isEqualTo(first);
        }
        try (PostgresMailStore restarted = new PostgresMailStore(pool, clock, scramHashing())) {
            assertThat(restarted.accounts().scramStandIn("NOBODY@example.org")).as("after a restart").isEqualTo(first);
        }
        assertThat(count("server_secrets")).isEqualTo(1);
    }

    @Test
    void aNodeThatStartsAgainReleasesTheLocksOfItsPreviousRunAndNoOtherNodes() {
        Account a = user("a@example.org");
        Account b = user("b@example.org");
        Account c = user("c@example.org");
        PostgresMailStore crashed = new PostgresMailStore(pool, clock, new PasswordHashing());
        PostgresMailStore otherNode = new PostgresMailStore(pool, clock, new PasswordHashing());
        assertThat(crashed.takeOverNode("node-1")).isZero();
        assertThat(otherNode.takeOverNode("node-2")).isZero();
        // sessions of node-1 that die with it (kill -9: never closed), one of node-2, one of an admin command
        crashed.maildrops().open(a.id(), "node-1/s1", Duration.ofSeconds(60));
        crashed.maildrops().open(b.id(), "node-1/s2", Duration.ofSeconds(60));
        Maildrop live = otherNode.maildrops().open(c.id(), "node-2/s3", Duration.ofSeconds(60));
        assertThatThrownBy(() -> store.maildrops().open(a.id(), "admin", Duration.ofSeconds(60)))
                .isInstanceOf(dev.mailwright.store.MaildropLockedException.class);

        PostgresMailStore restarted = new PostgresMailStore(pool, clock, new PasswordHashing());
        assertThat(restarted.takeOverNode("node-1")).isEqualTo(2);
        // the maildrops open at once, long before the leases would have run out
        restarted.maildrops().open(a.id(), "node-1/s4", Duration.ofSeconds(60)).close();
        restarted.maildrops().open(b.id(), "node-1/s5", Duration.ofSeconds(60)).close();
        assertThatThrownBy(() -> restarted.maildrops().open(c.id(), "node-1/s6", Duration.ofSeconds(60)))
                .isInstanceOf(dev.mailwright.store.MaildropLockedException.class);
        assertThat(otherNode.maildrops().renewAll(List.of(live))).isEmpty();
        live.close();
    }

    @Test
    void largeMessageIsStoredOnceInChunksForAllRecipientsAndFreedWithItsLastUser() throws Exception {
        Account a = user("a@example.org");
        Account b = user("b@example.org");
        byte[] content = message(7_000); // ~700 KB: three chunks
        DeliveryReceipt r;
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
            d.addLocal(new LocalRecipient(a.id(), a.address()), content.length);
            d.addLocal(new LocalRecipient(b.id(), b.address()), content.length);
            d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
            d.content().write(content);
            r = d.commit();
        }
        assertThat(r.mailboxes()).hasSize(2);
        assertThat(count("messages")).isEqualTo(1);
        assertThat(count("message_chunks")).isEqualTo(2); // chunk 0 lives in the messages row

        try (Maildrop m = store.maildrops().open(a.id(), "t", Duration.ofMinutes(1))) {
            long uid = m.messages().get(0).uid();
            assertThat(m.messages().get(0).size()).isEqualTo(content.length);
            try (InputStream in = m.open(uid)) {
                assertThat(in.available()).isPositive().isLessThanOrEqualTo(256 * 1024);
                assertThat(in.readAllBytes()).isEqualTo(content);
            }
            try (InputStream top = m.openTop(uid, 3)) {
                assertThat(new String(top.readAllBytes(), US_ASCII)).startsWith("Subject: chunks\r\n\r\n00000000 ")
                        .endsWith("00000002 " + "x".repeat(89) + "\r\n").hasSize(19 + 300);
            }
            m.commit(Set.of(uid), Set.of());
        }
        assertThat(count("messages")).isEqualTo(1);
        try (Maildrop m = store.maildrops().open(b.id(), "t", Duration.ofMinutes(1))) {
            m.commit(Set.of(m.messages().get(0).uid()), Set.of());
        }
        assertThat(count("messages")).isEqualTo(1); // the queue item still needs it
        QueueItem item = store.queue().claim("w", 1, Duration.ofMinutes(1)).get(0);
        try (InputStream in = store.queue().openContent(item.messageId())) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        store.queue().complete(item.id(), "w");
        assertThat(count("messages")).isZero();
        assertThat(count("message_chunks")).isZero();
    }

    @Test
    void mailboxRemovedBeforeCommitFailsTheWholeDelivery() throws IOException, SQLException {
        Account a = user("a@example.org");
        Account gone = user("gone@example.org");
        store.accounts().remove(gone.address()); // after RCPT, before the end of DATA
        for (int size : new int[] {10, 700_000}) { // one statement, and the chunked transaction
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()));
            d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            d.addLocal(new LocalRecipient(gone.id(), gone.address()), Optional.empty());
            d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
            d.content().write(message(size / 100 + 1));
            assertThatThrownBy(d::commit).isInstanceOf(NotFoundException.class);
            d.close();
        }
        assertThat(store.accounts().get(a.id()).orElseThrow().usage()).isEqualTo(Usage.EMPTY);
        assertThat(count("messages")).isZero();
        assertThat(count("message_chunks")).isZero();
        assertThat(store.queue().list()).isEmpty();
    }

    /**
     * mailbox_entries has no foreign key to accounts (V6): what keeps an entry from outliving its
     * account is that the delivery statement updates the account's row and removal locks that row
     * first. A delivery that waits for a removal's lock must fail and leave nothing behind.
     */
    @Test
    void deliveryWaitingOnARemovalOfItsMailboxFailsAndLeavesNoEntry() throws Exception {
        Account a = user("a@example.org");
        ExecutorService deliverer = Executors.newSingleThreadExecutor();
        try (Connection removal = database.dataSource().getConnection()) {
            removal.setAutoCommit(false);
            try (Statement s = removal.createStatement()) {
                s.executeQuery("SELECT id FROM accounts WHERE id = " + a.id() + " FOR UPDATE").close(); // as removal does
            }
            Future<DeliveryReceipt> delivered = deliverer.submit(() -> {
                try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
                    d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
                    d.content().write(message(3));
                    return d.commit();
                }
            });
            waitForABackendWaitingOnALock();
            try (Statement s = removal.createStatement()) {
                s.executeUpdate("DELETE FROM mailbox_entries WHERE account_id = " + a.id());
                s.executeUpdate("DELETE FROM accounts WHERE id = " + a.id());
            }
            removal.commit();
            assertThatThrownBy(() -> delivered.get(30, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotFoundException.class);
        } finally {
            deliverer.shutdownNow();
        }
        assertThat(count("mailbox_entries")).isZero();
        assertThat(count("messages")).isZero();

        // and once it is gone, a lone delivery to it fails the same way
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
            d.addLocal(new LocalRecipient(a.id(), a.address()), Optional.empty());
            d.content().write(message(3));
            assertThatThrownBy(d::commit).isInstanceOf(NotFoundException.class);
        }
        assertThat(count("mailbox_entries")).isZero();
        assertThat(count("messages")).isZero();
    }

    private void waitForABackendWaitingOnALock() throws SQLException, InterruptedException {
        for (int i = 0; i < 3000; i++) {
            try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                         + " AND datname = current_database()")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the delivery never waited for the account's row");
    }

    @Test
    void removingAnAccountFreesContentOnlyItUsed() throws Exception {
        Account a = user("a@example.org");
        Account b = user("b@example.org");
        for (List<Account> to : List.of(List.of(a), List.of(a, b))) {
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
                for (Account x : to) {
                    d.addLocal(new LocalRecipient(x.id(), x.address()), 0L);
                }
                d.content().write(message(3));
                d.commit();
            }
        }
        assertThat(count("messages")).isEqualTo(2);
        store.accounts().remove(a.address());
        assertThat(count("messages")).isEqualTo(1);
        assertThat(store.accounts().get(b.id()).orElseThrow().usage().messages()).isEqualTo(1);
    }

    @Test
    void importWritesContentInChunksAndAFailedImportLeavesNoContentBehind() throws Exception {
        Account a = user("a@example.org");
        byte[] big = message(7_000); // three chunks
        store.accounts().setQuota(a.address(), new dev.mailwright.store.Quota(0, 2));
        MailboxImport imp = store.mailboxes().beginImport(a.id());
        imp.add(clock.instant(), Optional.of("u1"), new ByteArrayInputStream(big));
        imp.add(clock.instant(), Optional.of("u2"), new ByteArrayInputStream(message(1)));
        assertThatThrownBy(() -> imp.add(clock.instant(), Optional.of("u3"), new ByteArrayInputStream(big)))
                .isInstanceOf(QuotaExceededException.class);
        imp.close();
        assertThat(count("messages")).isZero();
        assertThat(count("message_chunks")).isZero();
        assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero(); // the import's connection went back

        try (MailboxImport again = store.mailboxes().beginImport(a.id())) {
            again.add(clock.instant(), Optional.of("u1"), new ByteArrayInputStream(big));
            again.commit();
        }
        assertThat(count("messages")).isEqualTo(1);
        assertThat(count("message_chunks")).isEqualTo(2);
        try (InputStream in = store.mailboxes().open(a.id(), store.mailboxes().list(a.id()).get(0).uid())) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
    }

    @Test
    void anImportOfSeveralBatchesWithLargeMessagesAmongThemStoresEachInOrder() throws Exception {
        Account a = user("a@example.org");
        int n = 2 * 1_000 + 7; // batches written while the next ones are read, ids from more than one block
        try (MailboxImport imp = store.mailboxes().beginImport(a.id())) {
            for (int i = 0; i < n; i++) {
                imp.add(clock.instant(), Optional.of("u" + i), new ByteArrayInputStream(i % 400 == 7 ? message(3_000 + i) : message(i % 5)));
            }
            imp.commit();
        }
        List<MessageInfo> stored = store.mailboxes().list(a.id());
        assertThat(stored).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(stored.get(i).uidl()).isEqualTo("u" + i);
        }
        for (int i : new int[] {0, 6, 7, 8, 407, 1_999, n - 1}) {
            try (InputStream in = store.mailboxes().open(a.id(), stored.get(i).uid())) {
                assertThat(in.readAllBytes()).isEqualTo(i % 400 == 7 ? message(3_000 + i) : message(i % 5));
            }
        }
        assertThat(count("messages")).isEqualTo(n);
        assertThat(store.accounts().get(a.id()).orElseThrow().usage().messages()).isEqualTo(n);
    }

    @Test
    void anImportWhoseConnectionIsLostWhileABatchIsWrittenFailsAndStoresNothing() throws Exception {
        Account a = user("a@example.org");
        MailboxImport imp = store.mailboxes().beginImport(a.id());
        for (int i = 0; i < 700; i++) {
            imp.add(clock.instant(), Optional.of("u" + i), new ByteArrayInputStream(message(2)));
        }
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            // the import's connection is the one in a transaction
            s.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
                    + " AND pid <> pg_backend_pid() AND xact_start IS NOT NULL").close();
        }
        assertThatThrownBy(() -> {
            for (int i = 700; i < 1_400; i++) {
                imp.add(clock.instant(), Optional.of("u" + i), new ByteArrayInputStream(message(2)));
            }
            imp.commit();
        }).isInstanceOf(dev.mailwright.store.StoreException.class);
        imp.close();
        assertThat(count("messages")).isZero();
        assertThat(store.mailboxes().list(a.id())).isEmpty();
        assertThat(store.accounts().get(a.id()).orElseThrow().usage().messages()).isZero();
    }

    @Test
    void recalculatingEveryAccountCorrectsDriftedCountersInOneGo() throws Exception {
        Account a = user("a@example.org");
        Account b = user("b@example.org");
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
            d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            d.content().write(message(1));
            d.commit();
        }
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE accounts SET messages = 7, bytes = 700 WHERE id = " + a.id());
            s.executeUpdate("UPDATE accounts SET messages = 1, bytes = 3 WHERE id = " + b.id());
        }
        java.util.Map<Address, Usage[]> all = store.accounts().recalculateAllUsage();
        long size = message(1).length;
        assertThat(all.get(a.address())).containsExactly(new Usage(7, 700), new Usage(1, size));
        assertThat(all.get(b.address())).containsExactly(new Usage(1, 3), Usage.EMPTY);
        assertThat(store.accounts().get(a.id()).orElseThrow().usage()).isEqualTo(new Usage(1, size));
        assertThat(store.accounts().get(b.id()).orElseThrow().usage()).isEqualTo(Usage.EMPTY);
    }

    @Test
    void contentIsCompressedWithLz4WhereTheServerHasIt() throws Exception {
        boolean lz4;
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            try {
                s.execute("SET default_toast_compression = lz4");
                lz4 = true;
            } catch (SQLException e) {
                lz4 = false; // a server built without lz4 keeps pglz (V5 leaves it)
            }
        }
        Account a = user("a@example.org");
        byte[] text = message(1000); // 100 000 octets of text: compressed in its row
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
            d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            d.content().write(text);
            d.commit();
        }
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_column_compression(data), pg_column_size(data) FROM messages")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo(lz4 ? "lz4" : "pglz");
            assertThat(rs.getLong(2)).isLessThan(text.length / 4);
        }
        try (InputStream in = store.mailboxes().open(a.id(), store.mailboxes().list(a.id()).get(0).uid())) {
            assertThat(in.readAllBytes()).isEqualTo(text);
        }
    }
}
