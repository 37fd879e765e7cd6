package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.MailboxImport;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.Quota;
import dev.mailwright.store.QuotaExceededException;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.Usage;
import dev.mailwright.store.content.WireFormat;
import dev.mailwright.store.internal.Uidl;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * An import into one mailbox as one PostgreSQL transaction, held open on one connection from
 * {@code beginImport} to {@link #commit()}. Each {@link #add} streams the content into
 * {@code messages} and {@code message_chunks} chunk by chunk (one chunk in memory at a time);
 * the mailbox entries, UIDs and counters are written by one statement at commit, so the
 * account row is locked only for that statement and deliveries to the mailbox go on meanwhile.
 */
public final class SqlMailboxImport implements MailboxImport {

    private static final String COMMIT = "WITH a AS (UPDATE accounts SET next_uid = next_uid + ?,"
            + "   messages = messages + ?, bytes = bytes + ?"
            + "   WHERE id = ? AND (quota_bytes = 0 OR bytes + ? <= quota_bytes)"
            + "   AND (quota_messages = 0 OR messages + ? <= quota_messages)"
            + "   RETURNING next_uid - ? AS first_uid, uid_validity)"
            + " INSERT INTO mailbox_entries (account_id, uid, uidl, message_id, size, received)"
            + " SELECT ?, a.first_uid + t.ord - 1, coalesce(t.uidl, " + SqlUidl.of("a.uid_validity", "a.first_uid + t.ord - 1") + "),"
            + "   t.message_id, t.size, t.received::timestamptz"
            + " FROM a, unnest(?::bigint[], ?::text[], ?::bigint[], ?::text[]) WITH ORDINALITY"
            + "   AS t(message_id, uidl, size, received, ord)"
            + " RETURNING uid, uidl, size, received";

    private record Written(long messageId, long size) {
    }

    private record Added(long messageId, Optional<String> uidl, long wireSize, Instant received) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final long accountId;
    private final String address;
    private final Quota quota;
    private final Usage usage;
    private final List<Added> added = new ArrayList<>();
    private final Set<String> uidls = new HashSet<>();
    private long addedBytes;
    private Connection connection;

    /** Opens the transaction; {@link NotFoundException} for an unknown account. */
    public SqlMailboxImport(Jdbc jdbc, Clock clock, long accountId) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.accountId = accountId;
        this.connection = jdbc.beginTransaction("begin import");
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT address, messages, bytes, quota_bytes, quota_messages FROM accounts WHERE id = ?")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("no such mailbox: " + accountId);
                }
                address = rs.getString(1);
                usage = new Usage(rs.getLong(2), rs.getLong(3));
                quota = new Quota(rs.getLong(4), rs.getLong(5));
            }
        } catch (SQLException e) {
            abort();
            throw jdbc.failure(e, "begin import");
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    @Override
    public long add(Instant received, Optional<String> uidl, InputStream content) {
        open();
        try {
            if (uidl.isPresent()) {
                if (!Uidl.isValid(uidl.get())) {
                    throw new InvalidInputException("malformed UIDL");
                }
                if (uidls.contains(uidl.get()) || uidlInUse(uidl.get())) {
                    throw new AlreadyExistsException("UIDL in use in " + address + ": " + uidl.get());
                }
            }
            WireFormat.Counter wire = new WireFormat.Counter();
            Written written = insertContent(content, wire);
            Usage before = new Usage(usage.messages() + added.size(), usage.bytes() + addedBytes);
            if (!quota.allows(before, wire.size())) {
                throw new QuotaExceededException("mailbox full: " + address);
            }
            uidl.ifPresent(uidls::add);
            added.add(new Added(written.messageId(), uidl, wire.size(), received));
            addedBytes += wire.size();
            return written.size();
        } catch (SQLException e) {
            abort();
            throw jdbc.failure(e, "import message");
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    private boolean uidlInUse(String uidl) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT 1 FROM mailbox_entries WHERE account_id = ? AND uidl = ?")) {
            ps.setLong(1, accountId);
            ps.setString(2, uidl);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Writes the content row with chunk 0, then the other chunks, then the real size and chunk count. */
    private Written insertContent(InputStream content, WireFormat.Counter wire) throws SQLException {
        try {
            byte[] chunk = content.readNBytes(StoredContent.CHUNK_SIZE);
            wire.update(chunk, 0, chunk.length);
            long size = chunk.length;
            long messageId;
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO messages (size, chunks, refs, created, data) VALUES (?, 1, 1, ?, ?) RETURNING id")) {
                ps.setLong(1, size);
                Jdbc.setInstant(ps, 2, clock.instant());
                ps.setBytes(3, chunk);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    messageId = rs.getLong(1);
                }
            }
            int chunks = 1;
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)")) {
                while ((chunk = content.readNBytes(StoredContent.CHUNK_SIZE)).length > 0) {
                    wire.update(chunk, 0, chunk.length);
                    size += chunk.length;
                    ps.setLong(1, messageId);
                    ps.setInt(2, chunks++);
                    ps.setBytes(3, chunk);
                    ps.executeUpdate();
                }
            }
            if (chunks > 1) {
                try (PreparedStatement ps = connection.prepareStatement(
                        "UPDATE messages SET size = ?, chunks = ? WHERE id = ?")) {
                    ps.setLong(1, size);
                    ps.setInt(2, chunks);
                    ps.setLong(3, messageId);
                    ps.executeUpdate();
                }
            }
            return new Written(messageId, size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<MessageInfo> commit() {
        open();
        try {
            List<MessageInfo> stored = new ArrayList<>();
            if (!added.isEmpty()) {
                try (PreparedStatement ps = connection.prepareStatement(COMMIT)) {
                    int n = added.size();
                    int i = 1;
                    ps.setLong(i++, n);
                    ps.setLong(i++, n);
                    ps.setLong(i++, addedBytes);
                    ps.setLong(i++, accountId);
                    ps.setLong(i++, addedBytes);
                    ps.setLong(i++, n);
                    ps.setLong(i++, n);
                    ps.setLong(i++, accountId);
                    ps.setArray(i++, connection.createArrayOf("bigint", added.stream().map(Added::messageId).toArray()));
                    ps.setArray(i++, connection.createArrayOf("text", added.stream().map(a -> a.uidl().orElse(null)).toArray()));
                    ps.setArray(i++, connection.createArrayOf("bigint", added.stream().map(Added::wireSize).toArray()));
                    ps.setArray(i++, connection.createArrayOf("text", added.stream().map(a -> a.received().toString()).toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            stored.add(new MessageInfo(rs.getLong(1), rs.getString(2), rs.getLong(3),
                                    Jdbc.getInstant(rs, "received")));
                        }
                    }
                }
                if (stored.isEmpty()) {
                    throw whyNotStored();
                }
            }
            connection.commit();
            stored.sort(Comparator.comparingLong(MessageInfo::uid));
            return List.copyOf(stored);
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new AlreadyExistsException("UIDL in use in " + address + ": a delivery took one meanwhile");
            }
            throw jdbc.failure(e, "commit import");
        } finally {
            abort();
        }
    }

    /** The account row did not match: gone, or deliveries meanwhile took the room the import needs. */
    private StoreException whyNotStored() throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement("SELECT 1 FROM accounts WHERE id = ?")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new QuotaExceededException("mailbox full: " + address)
                        : new NotFoundException("mailbox removed during import");
            }
        }
    }

    private void open() {
        if (connection == null) {
            throw new IllegalStateException("import already finished");
        }
    }

    @Override
    public void abort() {
        if (connection != null) {
            Jdbc.rollbackAndClose(connection);
            connection = null;
        }
    }

    @Override
    public void close() {
        abort();
    }
}
