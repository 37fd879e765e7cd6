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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * An import into one mailbox as one PostgreSQL transaction, held open on one connection from
 * {@code beginImport} to {@link #commit()}. Message ids come from the sequence
 * {@value #ID_BLOCK} at a time; a message of one chunk waits in a bounded batch
 * ({@value #BATCH_MESSAGES} messages or {@value #BATCH_BYTES} octets) that one statement writes,
 * a larger one is streamed into {@code messages} and {@code message_chunks} chunk by chunk (one
 * chunk in memory at a time).
 *
 * <p>A full batch is written by the import's own writer thread while the caller reads the next
 * messages, so that reading the source and PostgreSQL's work overlap: at most one batch is being
 * written and one filled (memory stays bounded). The connection is the writer's while it writes;
 * everything else waits for it first ({@link #awaitWriter}), and a failure of the writer is
 * that of the next call.
 * Each message's SHA-256 is recorded with it ({@code messages.sha256}). The mailbox's UIDLs are
 * read once at the start to refuse a UIDL in use at once; the mailbox entries, UIDs and counters
 * are written by one statement at commit, so the account row is locked only for that statement
 * and deliveries to the mailbox go on meanwhile (a UIDL one of them took is refused at commit by
 * the unique key).
 */
public final class SqlMailboxImport implements MailboxImport {

    static final int BATCH_MESSAGES = 500;
    static final int BATCH_BYTES = 4 << 20;
    static final int ID_BLOCK = 2_000;

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

    private static final String INSERT_BATCH = "INSERT INTO messages (id, size, chunks, refs, created, data, sha256)"
            + " OVERRIDING SYSTEM VALUE"
            + " SELECT t.id, length(t.data), 1, 1, ?, t.data, t.sha256 FROM unnest(?::bigint[], ?::bytea[], ?::bytea[])"
            + "   AS t(id, data, sha256)";

    private record Added(long messageId, Optional<String> uidl, long wireSize, Instant received) {
    }

    /** A message of one chunk waiting for its batch. */
    private record Small(long messageId, byte[] data, byte[] sha256) {
    }

    private final Jdbc jdbc;
    private final Clock clock;
    private final long accountId;
    private final String address;
    private final Quota quota;
    private final Usage usage;
    /** The mailbox's UIDLs at the start, by UID. */
    private final Map<String, Long> inMailbox = new HashMap<>();
    private final List<Added> added = new ArrayList<>();
    private final Set<String> uidls = new HashSet<>();
    /** Messages of the mailbox given new UIDLs: uid -> UIDL. */
    private final Map<Long, String> remapped = new HashMap<>();
    private List<Small> batch = new ArrayList<>();
    private long[] ids = new long[0];
    private int nextId;
    /** The next block of ids, taken by the writer after a batch. */
    private long[] spareIds;
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mailwright-import-writer");
        t.setDaemon(true);
        return t;
    });
    /** The batch the writer is writing, if any. */
    private Future<?> writing;
    private long batchBytes;
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
            try (PreparedStatement uidlsNow = connection.prepareStatement(
                    "SELECT uidl, uid FROM mailbox_entries WHERE account_id = ?")) {
                uidlsNow.setLong(1, accountId);
                uidlsNow.setFetchSize(10_000);
                try (ResultSet rs = uidlsNow.executeQuery()) {
                    while (rs.next()) {
                        inMailbox.put(rs.getString(1), rs.getLong(2));
                    }
                }
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
            MessageDigest sha256 = sha256();
            byte[] first = content.readNBytes(StoredContent.CHUNK_SIZE);
            byte[] second = first.length < StoredContent.CHUNK_SIZE ? new byte[0] : content.readNBytes(StoredContent.CHUNK_SIZE);
            Usage before = new Usage(usage.messages() + added.size(), usage.bytes() + addedBytes);
            long messageId = nextId();
            long size;
            if (second.length == 0) {
                wire.update(first, 0, first.length);
                sha256.update(first);
                if (!quota.allows(before, wire.size())) {
                    throw new QuotaExceededException("mailbox full: " + address);
                }
                batch.add(new Small(messageId, first, sha256.digest()));
                batchBytes += first.length;
                if (batch.size() >= BATCH_MESSAGES || batchBytes >= BATCH_BYTES) {
                    flush();
                }
                size = first.length;
            } else {
                size = insertLarge(messageId, first, second, content, wire, sha256);
                if (!quota.allows(before, wire.size())) {
                    throw new QuotaExceededException("mailbox full: " + address);
                }
            }
            uidl.ifPresent(uidls::add);
            added.add(new Added(messageId, uidl, wire.size(), received));
            addedBytes += wire.size();
            return size;
        } catch (IOException e) {
            abort();
            throw new UncheckedIOException(e);
        } catch (SQLException e) {
            abort();
            throw jdbc.failure(e, "import message");
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Whether a message of the mailbox has this UIDL, counting the remapping. */
    private boolean uidlInUse(String uidl) {
        Long uid = inMailbox.get(uidl);
        return remapped.containsValue(uidl) || (uid != null && !remapped.containsKey(uid));
    }

    @Override
    public void remap(Map<Long, String> newUidls) {
        open();
        try {
            Map<String, Long> byUidl = new HashMap<>();
            inMailbox.forEach((u, uid) -> byUidl.put(u, uid));
            Set<Long> known = new HashSet<>(inMailbox.values());
            Set<String> given = new HashSet<>();
            for (Map.Entry<Long, String> e : newUidls.entrySet()) {
                if (!known.contains(e.getKey()) || remapped.containsKey(e.getKey())) {
                    throw new NotFoundException("no such message: " + e.getKey());
                }
                if (!Uidl.isValid(e.getValue())) {
                    throw new InvalidInputException("malformed UIDL");
                }
                Long holder = byUidl.get(e.getValue());
                boolean keeps = holder != null && !newUidls.containsKey(holder) && !remapped.containsKey(holder);
                if (!given.add(e.getValue()) || uidls.contains(e.getValue()) || remapped.containsValue(e.getValue()) || keeps) {
                    throw new AlreadyExistsException("UIDL in use in " + address + ": " + e.getValue());
                }
            }
            if (newUidls.isEmpty()) {
                return;
            }
            awaitWriter();
            Long[] uids = newUidls.keySet().toArray(Long[]::new);
            // first a UIDL no message can have (a space), so that UIDLs may be exchanged under the unique key
            try (PreparedStatement ps = connection.prepareStatement(
                    "UPDATE mailbox_entries SET uidl = ' ' || uid WHERE account_id = ? AND uid = ANY(?)")) {
                ps.setLong(1, accountId);
                ps.setArray(2, connection.createArrayOf("bigint", uids));
                if (ps.executeUpdate() != uids.length) {
                    throw new NotFoundException("a message to give a new UIDL was deleted during the import");
                }
            }
            try (PreparedStatement ps = connection.prepareStatement("UPDATE mailbox_entries e SET uidl = t.uidl"
                    + " FROM unnest(?::bigint[], ?::text[]) AS t(uid, uidl) WHERE e.account_id = ? AND e.uid = t.uid")) {
                ps.setArray(1, connection.createArrayOf("bigint", uids));
                ps.setArray(2, connection.createArrayOf("text", newUidls.values().toArray()));
                ps.setLong(3, accountId);
                ps.executeUpdate();
            }
            remapped.putAll(newUidls);
        } catch (SQLException e) {
            abort();
            if ("23505".equals(e.getSQLState())) {
                throw new AlreadyExistsException("UIDL in use in " + address + ": a delivery took one meanwhile");
            }
            throw jdbc.failure(e, "remap UIDLs");
        } catch (RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** The next message id: from the block in hand, the writer's spare block, or the sequence. */
    private long nextId() throws SQLException {
        if (nextId == ids.length) {
            awaitWriter();
            ids = spareIds != null ? spareIds : takeIds(connection);
            spareIds = null;
            nextId = 0;
        }
        return ids[nextId++];
    }

    private static long[] takeIds(Connection connection) throws SQLException {
        long[] block = new long[ID_BLOCK];
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT nextval(pg_get_serial_sequence('messages', 'id')) FROM generate_series(1, ?)")) {
            ps.setInt(1, block.length);
            try (ResultSet rs = ps.executeQuery()) {
                for (int i = 0; i < block.length; i++) {
                    rs.next();
                    block[i] = rs.getLong(1);
                }
            }
        }
        return block;
    }

    /**
     * Hands the waiting messages of one chunk to the writer, which writes them in one statement
     * (and takes the next block of ids if none is spare), once it has written the previous batch.
     */
    private void flush() throws SQLException {
        if (batch.isEmpty()) {
            return;
        }
        awaitWriter();
        List<Small> full = batch;
        batch = new ArrayList<>();
        batchBytes = 0;
        Connection c = connection;
        boolean needIds = spareIds == null;
        Instant created = clock.instant();
        writing = writer.submit(() -> {
            try (PreparedStatement ps = c.prepareStatement(INSERT_BATCH)) {
                Jdbc.setInstant(ps, 1, created);
                ps.setArray(2, c.createArrayOf("bigint", full.stream().map(Small::messageId).toArray()));
                ps.setArray(3, c.createArrayOf("bytea", full.stream().map(Small::data).toArray(byte[][]::new)));
                ps.setArray(4, c.createArrayOf("bytea", full.stream().map(Small::sha256).toArray(byte[][]::new)));
                ps.executeUpdate();
            }
            if (needIds) {
                spareIds = takeIds(c);
            }
            return null;
        });
    }

    /** Waits until the writer has written the batch it has, if any; its failure is thrown here. */
    private void awaitWriter() throws SQLException {
        Future<?> w = writing;
        if (w == null) {
            return;
        }
        writing = null;
        try {
            w.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("import interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Writes a message of several chunks: the content row with chunk 0, the other chunks, then its size, chunk count and digest. */
    private long insertLarge(long messageId, byte[] first, byte[] second, InputStream content, WireFormat.Counter wire,
                             MessageDigest sha256) throws SQLException, IOException {
        awaitWriter();
        wire.update(first, 0, first.length);
        sha256.update(first);
        try (PreparedStatement ps = connection.prepareStatement("INSERT INTO messages (id, size, chunks, refs, created, data)"
                + " OVERRIDING SYSTEM VALUE VALUES (?, ?, 1, 1, ?, ?)")) {
            ps.setLong(1, messageId);
            ps.setLong(2, first.length);
            Jdbc.setInstant(ps, 3, clock.instant());
            ps.setBytes(4, first);
            ps.executeUpdate();
        }
        long size = first.length;
        int chunks = 1;
        try (PreparedStatement ps = connection.prepareStatement(
                "INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)")) {
            for (byte[] chunk = second; chunk.length > 0; chunk = content.readNBytes(StoredContent.CHUNK_SIZE)) {
                wire.update(chunk, 0, chunk.length);
                sha256.update(chunk);
                size += chunk.length;
                ps.setLong(1, messageId);
                ps.setInt(2, chunks++);
                ps.setBytes(3, chunk);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(
                "UPDATE messages SET size = ?, chunks = ?, sha256 = ? WHERE id = ?")) {
            ps.setLong(1, size);
            ps.setInt(2, chunks);
            ps.setBytes(3, sha256.digest());
            ps.setLong(4, messageId);
            ps.executeUpdate();
        }
        return size;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public List<MessageInfo> commit() {
        open();
        try {
            flush();
            awaitWriter();
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
            try {
                awaitWriter();
            } catch (SQLException | RuntimeException e) {
                // the import is given up anyway; what the writer failed on was thrown to the caller, or is moot
            }
            Jdbc.rollbackAndClose(connection);
            connection = null;
            writer.shutdown();
        }
    }

    @Override
    public void close() {
        abort();
    }
}
