package dev.mailwright.store.postgres.internal;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.internal.Uidl;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.internal.SqlDelivery.Small;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The statement that writes several small deliveries at once, against a real PostgreSQL. */
class SmallDeliveriesTest {

    private static TestDatabase database;
    private static HikariDataSource pool;
    private PostgresMailStore store;
    private Account alice;
    private Account bob;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabases.fresh();
        pool = database.pool(2);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @BeforeEach
    void accounts() {
        database.truncate();
        store = new PostgresMailStore(pool, Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
        store.domains().add("example.org");
        alice = store.accounts().add(Address.parse("alice@example.org"), "pw-alice-1".toCharArray());
        bob = store.accounts().add(Address.parse("bob@example.org"), "pw-bob-1".toCharArray());
    }

    private static Small small(Account to, String text, Optional<String> uidl) {
        byte[] content = text.getBytes(US_ASCII);
        return new Small(to.id(), uidl, content, content.length + 3, Instant.parse("2026-12-02T10:00:00Z"),
                Instant.parse("2026-12-02T09:59:59Z"));
    }

    @Test
    void eachDeliveryGetsItsOwnMessageAndTheNextUidsOfItsMailboxInOrder() throws SQLException {
        List<Small> items = List.of(small(alice, "one", Optional.empty()), small(bob, "two", Optional.empty()),
                small(alice, "three", Optional.of("imported-uidl")), small(alice, "four", Optional.empty()));
        List<DeliveryReceipt> receipts;
        try (Connection c = pool.getConnection()) {
            receipts = SqlDelivery.SMALL_DELIVERIES.all(c, items);
        }
        assertThat(receipts).hasSize(4);
        assertThat(receipts).extracting(DeliveryReceipt::messageId).doesNotHaveDuplicates();
        assertThat(receipts).extracting(r -> r.mailboxes().get(0).accountId())
                .containsExactly(alice.id(), bob.id(), alice.id(), alice.id());
        assertThat(receipts).extracting(r -> r.mailboxes().get(0).uid()).containsExactly(1L, 1L, 2L, 3L);
        assertThat(receipts.get(2).mailboxes().get(0).uidl()).isEqualTo("imported-uidl");
        assertThat(receipts).extracting(DeliveryReceipt::size).containsExactly(3L, 3L, 5L, 4L);
        try (Connection c = pool.getConnection()) {
            long validity = single(c, "SELECT uid_validity FROM accounts WHERE id = " + alice.id());
            assertThat(receipts.get(0).mailboxes().get(0).uidl()).isEqualTo(Uidl.of(validity, 1));
            assertThat(receipts.get(3).mailboxes().get(0).uidl()).isEqualTo(Uidl.of(validity, 3));
            // each receipt names the row that holds its own content
            for (int i = 0; i < items.size(); i++) {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT m.data, m.refs, e.size FROM messages m JOIN mailbox_entries e ON e.message_id = m.id"
                        + " WHERE m.id = ? AND e.account_id = ? AND e.uid = ?")) {
                    ps.setLong(1, receipts.get(i).messageId());
                    ps.setLong(2, receipts.get(i).mailboxes().get(0).accountId());
                    ps.setLong(3, receipts.get(i).mailboxes().get(0).uid());
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(rs.next()).isTrue();
                        assertThat(rs.getBytes(1)).isEqualTo(items.get(i).content());
                        assertThat(rs.getInt(2)).isEqualTo(1);
                        assertThat(rs.getLong(3)).isEqualTo(items.get(i).wireSize());
                    }
                }
            }
            assertThat(single(c, "SELECT next_uid FROM accounts WHERE id = " + alice.id())).isEqualTo(4);
            assertThat(single(c, "SELECT messages FROM accounts WHERE id = " + alice.id())).isEqualTo(3);
            assertThat(single(c, "SELECT bytes FROM accounts WHERE id = " + alice.id())).isEqualTo(6 + 8 + 7);
            assertThat(single(c, "SELECT next_uid FROM accounts WHERE id = " + bob.id())).isEqualTo(2);
            assertThat(single(c, "SELECT bytes FROM accounts WHERE id = " + bob.id())).isEqualTo(6);
        }
        // the counters agree with what was stored
        for (Account a : List.of(alice, bob)) {
            dev.mailwright.store.Usage[] beforeAndAfter = store.accounts().recalculateUsage(a.address());
            assertThat(beforeAndAfter[0]).isEqualTo(beforeAndAfter[1]);
        }
    }

    @Test
    void aMailboxThatIsGoneFailsTheWholeStatementAndLeavesNoTrace() throws SQLException {
        List<Small> items = new ArrayList<>(List.of(small(alice, "one", Optional.empty()),
                small(bob, "two", Optional.empty())));
        store.accounts().remove(bob.address());
        try (Connection c = pool.getConnection()) {
            assertThatThrownBy(() -> SqlDelivery.SMALL_DELIVERIES.all(c, items))
                    .isInstanceOf(dev.mailwright.store.NotFoundException.class);
            assertThat(single(c, "SELECT count(*) FROM messages")).isZero();
            assertThat(single(c, "SELECT count(*) FROM mailbox_entries")).isZero();
            assertThat(single(c, "SELECT next_uid FROM accounts WHERE id = " + alice.id())).isEqualTo(1);
            assertThat(single(c, "SELECT messages FROM accounts WHERE id = " + alice.id())).isZero();
        }
    }

    @Test
    void aUidlUsedTwiceFailsTheWholeStatement() throws SQLException {
        List<Small> items = List.of(small(alice, "one", Optional.of("same")), small(alice, "two", Optional.of("same")));
        try (Connection c = pool.getConnection()) {
            assertThatThrownBy(() -> SqlDelivery.SMALL_DELIVERIES.all(c, items)).isInstanceOf(SQLException.class);
            assertThat(single(c, "SELECT count(*) FROM mailbox_entries")).isZero();
        }
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
