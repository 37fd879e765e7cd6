package dev.mailwright.store.postgres;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.StoreException;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogicalBackupTest {

    private static final PasswordHashing HASHING = new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1),
            new SecureRandom());

    @TempDir
    Path dir;

    @Test
    void aDumpRestoredIntoAWipedDatabaseServesTheSameMessagesWithTheSameUidls() throws Exception {
        TestDatabase source = TestDatabases.fresh();
        Map<String, String> before;
        try (HikariDataSource pool = source.pool(2); PostgresMailStore store = new PostgresMailStore(pool, Clock.systemUTC(), HASHING)) {
            store.domains().add("example.org");
            Account alice = store.accounts().add(Address.parse("alice@example.org"), "alice-secret-1".toCharArray());
            deliver(store, alice, "Subject: one\r\n\r\nfirst\r\n".getBytes(US_ASCII), Optional.of("carried-over-1"), false);
            deliver(store, alice, big(), Optional.empty(), true); // chunked content, and a queue item
            deliver(store, alice, "Subject: three\r\n\r\nthird\r\n".getBytes(US_ASCII), Optional.empty(), false);
            before = contents(store, alice.id());
        }
        Path dump = dir.resolve("mailwright.dump");
        LogicalBackup.Summary dumped = LogicalBackup.dump(source.dataSource(), dump);
        assertThat(dumped.rows()).containsEntry("accounts", 1L).containsEntry("queue", 1L);

        // wiped: a new, empty database (no schema at all)
        TestDatabase target = TestDatabases.empty();
        LogicalBackup.restore(target.dataSource(), dump, false);
        try (HikariDataSource pool = target.pool(2); PostgresMailStore store = new PostgresMailStore(pool, Clock.systemUTC(), HASHING)) {
            Account alice = store.accounts().get(Address.parse("alice@example.org")).orElseThrow();
            assertThat(contents(store, alice.id())).containsExactlyEntriesOf(before);
            assertThat(store.accounts().authenticate("alice@example.org", "alice-secret-1".toCharArray()))
                    .isPresent();
            assertThat(store.queue().list()).hasSize(1);
            // the sequences came along: new mail gets ids and UIDLs never used before
            deliver(store, alice, "Subject: four\r\n\r\nafter the restore\r\n".getBytes(US_ASCII), Optional.empty(), false);
            List<MessageInfo> after = store.mailboxes().list(alice.id());
            assertThat(after).hasSize(4);
            assertThat(after.stream().map(MessageInfo::uidl).distinct()).hasSize(4);

            // with a server connected (the store's pool), a restore is refused
            assertThatThrownBy(() -> LogicalBackup.restore(target.dataSource(), dump, true))
                    .isInstanceOf(StoreException.class).hasMessageContaining("stop it before restoring");
        }
        assertThatThrownBy(() -> LogicalBackup.restore(target.dataSource(), dump, false))
                .isInstanceOf(StoreException.class).hasMessageContaining("already holds Mailwright data");
        LogicalBackup.restore(target.dataSource(), dump, true);
        try (HikariDataSource pool = target.pool(2); PostgresMailStore store = new PostgresMailStore(pool, Clock.systemUTC(), HASHING)) {
            Account alice = store.accounts().get(Address.parse("alice@example.org")).orElseThrow();
            assertThat(contents(store, alice.id())).containsExactlyEntriesOf(before);
        }
    }

    @Test
    void aDumpIsNotWrittenOverAnExistingFileAndAnythingElseIsNotRestored() throws IOException {
        TestDatabase db = TestDatabases.fresh();
        Path existing = Files.writeString(dir.resolve("exists"), "keep me");
        assertThatThrownBy(() -> LogicalBackup.dump(db.dataSource(), existing)).hasMessageContaining("exists; not overwritten");
        assertThat(Files.readString(existing)).isEqualTo("keep me");

        Path zip = dir.resolve("other.zip");
        try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new java.util.zip.ZipEntry("readme.txt"));
            out.write("not a dump".getBytes(US_ASCII));
        }
        assertThatThrownBy(() -> LogicalBackup.restore(db.dataSource(), zip, false))
                .hasMessageContaining("is not a Mailwright dump");
    }

    private static void deliver(PostgresMailStore store, Account to, byte[] content, Optional<String> uidl, boolean remote)
            throws IOException {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()))) {
            d.addLocal(new LocalRecipient(to.id(), to.address()), uidl);
            if (remote) {
                d.addRemote(RemoteRecipient.of(Address.parse("carol@remote.test")));
            }
            d.content().write(content);
            d.commit();
        }
    }

    /** UIDL to content, in mailbox order. */
    private static Map<String, String> contents(PostgresMailStore store, long accountId) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        for (MessageInfo info : store.mailboxes().list(accountId)) {
            try (InputStream in = store.mailboxes().open(accountId, info.uid())) {
                m.put(info.uidl(), new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        return m;
    }

    private static byte[] big() {
        StringBuilder sb = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; i < 7000; i++) {
            sb.append(String.format("%08d ", i)).append("y".repeat(89)).append("\r\n");
        }
        return sb.toString().getBytes(US_ASCII);
    }
}
