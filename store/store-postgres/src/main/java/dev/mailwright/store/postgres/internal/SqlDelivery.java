package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.Quota;
import dev.mailwright.store.QuotaExceededException;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.Usage;
import dev.mailwright.store.content.ContentSpool;
import dev.mailwright.store.internal.Uidl;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A delivery into PostgreSQL. Content is spooled while it arrives (no transaction is open
 * meanwhile); {@link #commit()} then writes everything in one transaction: a message of at
 * most one chunk together with all its mailbox entries, counter updates and queue rows in a
 * single statement, a larger one streamed chunk by chunk from the spool first.
 */
public final class SqlDelivery implements Delivery {

    /**
     * The statement that stores a delivery; parts are left out when they have nothing to do,
     * and the common case of one local mailbox updates its account by key, without a join.
     *
     * @param locals 0, 1 or 2 for none, one, or several local mailboxes
     */
    private static String statement(boolean small, int locals, boolean hasRemote) {
        StringBuilder sql = new StringBuilder("WITH");
        sql.append(small
                ? " m AS (INSERT INTO messages (size, chunks, refs, created, data) VALUES (?, 1, ?, ?, ?) RETURNING id)"
                : " m AS (SELECT ?::bigint AS id)");
        if (locals == 1) {
            sql.append(", a AS (UPDATE accounts SET next_uid = next_uid + 1, messages = messages + 1, bytes = bytes + ?")
               .append("   WHERE id = ?")
               .append("   RETURNING next_uid - 1 AS uid, coalesce(?::text, ").append(SqlUidl.of("uid_validity", "next_uid - 1")).append(") AS uidl)")
               // LEFT JOIN: a mailbox that is gone leaves a null uid, which fails the statement
               .append(", e AS (INSERT INTO mailbox_entries (account_id, uid, uidl, message_id, size, received)")
               .append("   SELECT ?, a.uid, a.uidl, m.id, ?, ? FROM m LEFT JOIN a ON true RETURNING account_id, uid, uidl)");
        } else if (locals == 2) {
            sql.append(", r AS (SELECT * FROM unnest(?::bigint[], ?::text[]) AS r(account_id, uidl))")
               .append(", a AS (UPDATE accounts SET next_uid = accounts.next_uid + 1,")
               .append("     messages = accounts.messages + 1, bytes = accounts.bytes + ?")
               .append("   FROM r WHERE accounts.id = r.account_id")
               .append("   RETURNING accounts.id AS account_id, accounts.next_uid - 1 AS uid,")
               .append("     coalesce(r.uidl, ").append(SqlUidl.of("accounts.uid_validity", "accounts.next_uid - 1")).append(") AS uidl)")
               // from r, not from a: a mailbox that is gone leaves a null uid, which fails the statement
               .append(", e AS (INSERT INTO mailbox_entries (account_id, uid, uidl, message_id, size, received)")
               .append("   SELECT r.account_id, a.uid, a.uidl, m.id, ?, ?")
               .append("   FROM m, r LEFT JOIN a ON a.account_id = r.account_id RETURNING account_id, uid, uidl)");
        }
        if (hasRemote) {
            sql.append(", q AS (INSERT INTO queue (message_id, reverse_path, received, ret, env_id, smtp_utf8, auth,")
               .append("     require_tls, recipient, notify, orcpt, state, created, next_attempt)")
               .append("   SELECT m.id, ?, ?, ?, ?, ?, ?, ?, t.recipient, t.notify, t.orcpt, 'QUEUED', ?, ?")
               .append("   FROM m, unnest(?::text[], ?::text[], ?::text[]) AS t(recipient, notify, orcpt) RETURNING id)");
        }
        sql.append(" SELECT m.id, ").append(hasRemote ? "(SELECT count(*) FROM q)" : "0");
        sql.append(locals > 0 ? ", e.account_id, e.uid, e.uidl FROM m LEFT JOIN e ON true" : ", NULL, NULL, NULL FROM m");
        return sql.toString();
    }

    private static final String[] STATEMENTS = new String[12];

    static {
        for (int i = 0; i < STATEMENTS.length; i++) {
            STATEMENTS[i] = statement(i >= 6, (i % 6) / 2, i % 2 == 1);
        }
    }

    /**
     * A small delivery to one local mailbox and nowhere else, as it is written: the common case,
     * which {@link #SMALL_DELIVERIES} writes together with others.
     */
    public record Small(long accountId, Optional<String> uidl, byte[] content, long wireSize, Instant created,
                        Instant received) {
    }

    /**
     * Several small deliveries in one statement: each gets its message row (ids drawn from the
     * sequence first, so that rows can be matched), its mailbox entry with the next UID of its
     * account in the order given, and one counter update per account for all of them. A mailbox
     * that is gone leaves a null UID, which fails the whole statement.
     */
    private static final String SMALL_BATCH = """
            WITH d AS MATERIALIZED (
              SELECT t.*, nextval('messages_id_seq') AS message_id
              FROM unnest(?::bigint[], ?::text[], ?::bytea[], ?::bigint[], ?::timestamptz[], ?::timestamptz[])
                   WITH ORDINALITY AS t(account_id, uidl, data, wire_size, created, received, n)),
            m AS (INSERT INTO messages (id, size, chunks, refs, created, data) OVERRIDING SYSTEM VALUE
                  SELECT message_id, length(data), 1, 1, created, data FROM d),
            k AS (SELECT account_id, count(*) AS count, sum(wire_size) AS bytes FROM d GROUP BY account_id),
            l AS MATERIALIZED (SELECT id FROM accounts WHERE id = ANY (?::bigint[]) ORDER BY id FOR NO KEY UPDATE),
            a AS (UPDATE accounts SET next_uid = accounts.next_uid + k.count, messages = accounts.messages + k.count,
                    bytes = accounts.bytes + k.bytes
                  FROM l JOIN k ON k.account_id = l.id WHERE accounts.id = l.id
                  RETURNING accounts.id, accounts.next_uid - k.count AS first_uid, accounts.uid_validity),
            u AS (SELECT d.account_id, d.message_id, d.wire_size, d.received, d.uidl,
                    a.first_uid + row_number() OVER (PARTITION BY d.account_id ORDER BY d.n) - 1 AS uid, a.uid_validity
                  FROM d LEFT JOIN a ON a.id = d.account_id),
            e AS (INSERT INTO mailbox_entries (account_id, uid, uidl, message_id, size, received)
                  SELECT account_id, uid, coalesce(uidl, %s), message_id, wire_size, received
                  FROM u RETURNING message_id, uid, uidl)
            SELECT d.n, e.message_id, e.uid, e.uidl FROM e JOIN d ON d.message_id = e.message_id""".formatted(SqlUidl.of("uid_validity", "uid"));

    /** How {@link GroupCommit} writes small deliveries: alone with the plain statement, together with the batch one. */
    public static final GroupCommit.Batch<Small, DeliveryReceipt> SMALL_DELIVERIES = new GroupCommit.Batch<>() {
        @Override
        public DeliveryReceipt one(Connection c, Small s) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(STATEMENTS[6 + 2])) {
                ps.setLong(1, s.content().length);
                ps.setInt(2, 1);
                Jdbc.setInstant(ps, 3, s.created());
                ps.setBytes(4, s.content());
                ps.setLong(5, s.wireSize());
                ps.setLong(6, s.accountId());
                ps.setString(7, s.uidl().orElse(null));
                ps.setLong(8, s.accountId());
                ps.setLong(9, s.wireSize());
                Jdbc.setInstant(ps, 10, s.received());
                try (ResultSet rs = executeChecked(ps)) {
                    rs.next();
                    return new DeliveryReceipt(rs.getLong(1), s.content().length,
                            List.of(new DeliveryReceipt.Stored(rs.getLong(3), rs.getLong(4), rs.getString(5))), 0);
                }
            }
        }

        @Override
        public List<DeliveryReceipt> all(Connection c, List<Small> items) throws SQLException {
            int n = items.size();
            Long[] accounts = new Long[n];
            String[] uidls = new String[n];
            byte[][] contents = new byte[n][];
            Long[] wireSizes = new Long[n];
            Timestamp[] created = new java.sql.Timestamp[n];
            Timestamp[] received = new java.sql.Timestamp[n];
            for (int i = 0; i < n; i++) {
                Small s = items.get(i);
                accounts[i] = s.accountId();
                uidls[i] = s.uidl().orElse(null);
                contents[i] = s.content();
                wireSizes[i] = s.wireSize();
                created[i] = Timestamp.from(s.created());
                received[i] = Timestamp.from(s.received());
            }
            DeliveryReceipt[] receipts = new DeliveryReceipt[n];
            try (PreparedStatement ps = c.prepareStatement(SMALL_BATCH)) {
                ps.setArray(1, c.createArrayOf("bigint", accounts));
                ps.setArray(2, c.createArrayOf("text", uidls));
                ps.setArray(3, c.createArrayOf("bytea", contents));
                ps.setArray(4, c.createArrayOf("bigint", wireSizes));
                ps.setArray(5, c.createArrayOf("timestamptz", created));
                ps.setArray(6, c.createArrayOf("timestamptz", received));
                ps.setArray(7, c.createArrayOf("bigint", accounts));
                try (ResultSet rs = executeChecked(ps)) {
                    while (rs.next()) {
                        int i = rs.getInt(1) - 1;
                        Small s = items.get(i);
                        receipts[i] = new DeliveryReceipt(rs.getLong(2), s.content().length,
                                List.of(new DeliveryReceipt.Stored(s.accountId(), rs.getLong(3), rs.getString(4))), 0);
                    }
                }
            }
            return Arrays.asList(receipts);
        }
    };

    private final Jdbc jdbc;
    private final GroupCommit<Small, DeliveryReceipt> groupCommit;
    private final DirectoryCache directoryCache;
    private final Clock clock;
    private final Envelope envelope;
    private final Map<Long, Optional<String>> local = new LinkedHashMap<>();
    private final Map<String, RemoteRecipient> remote = new LinkedHashMap<>();
    private final ContentSpool spool;
    private boolean finished;
    /** What {@link #remembers} found, for the addRecipient that follows it. */
    private Map.Entry<String, Resolution> kept;
    private long settledMessage;
    private Set<Long> settled = Set.of();

    public SqlDelivery(Jdbc jdbc, GroupCommit<Small, DeliveryReceipt> groupCommit, DirectoryCache directoryCache,
                       Clock clock, Envelope envelope, Path spoolDirectory) {
        this.jdbc = jdbc;
        this.directoryCache = directoryCache;
        this.groupCommit = groupCommit;
        this.clock = clock;
        this.envelope = envelope;
        this.spool = new ContentSpool(StoredContent.CHUNK_SIZE, spoolDirectory);
    }

    @Override
    public void addLocal(LocalRecipient recipient, long expectedSize) {
        open();
        jdbc.call("check mailbox quota", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT address, messages, bytes, quota_bytes, quota_messages FROM accounts WHERE id = ?")) {
                ps.setLong(1, recipient.accountId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("no such mailbox: " + recipient.mailbox());
                    }
                    Quota quota = new Quota(rs.getLong("quota_bytes"), rs.getLong("quota_messages"));
                    if (!quota.allows(new Usage(rs.getLong("messages"), rs.getLong("bytes")), expectedSize)) {
                        throw new QuotaExceededException("mailbox full: " + rs.getString("address"));
                    }
                    return null;
                }
            }
        });
        local.putIfAbsent(recipient.accountId(), Optional.empty());
    }

    /** Keeps what it found for the next {@link #addRecipient} of the same address. */
    @Override
    public boolean remembers(Address recipient) {
        String key = recipient.toString();
        Optional<Resolution> remembered = directoryCache.get(key);
        remembered.ifPresent(r -> kept = Map.entry(key, r));
        return remembered.isPresent();
    }

    @Override
    public Resolution addRecipient(Address recipient, long expectedSize) {
        open();
        String key = recipient.toString();
        Map.Entry<String, Resolution> promised = kept;
        kept = null;
        Resolution resolution = promised != null && promised.getKey().equals(key) ? promised.getValue()
                : directoryCache.get(key).orElse(null);
        if (resolution == null) {
            long generation = directoryCache.generation();
            boolean[] quotaFree = {true};
            resolution = jdbc.call("resolve recipient", c -> {
                SqlDirectory directory = SqlDirectory.on(c);
                Resolution resolved = directory.resolve(recipient);
                for (LocalRecipient mailbox : resolved.local()) {
                    SqlDirectory.Mailbox found = directory.mailbox(mailbox.accountId());
                    if (!found.quota().equals(Quota.UNLIMITED)) {
                        quotaFree[0] = false;
                    }
                    if (!found.quota().allows(found.usage(), expectedSize)) {
                        throw new QuotaExceededException("mailbox full: " + found.recipient().mailbox());
                    }
                }
                return resolved;
            });
            if (quotaFree[0]) {
                // no mailbox of it has a quota, so no usage is needed to answer the next RCPT for it
                directoryCache.put(key, resolution, generation);
            }
        }
        resolution.local().forEach(mailbox -> local.putIfAbsent(mailbox.accountId(), Optional.empty()));
        return resolution;
    }

    @Override
    public void addLocal(LocalRecipient recipient, Optional<String> uidl) {
        open();
        uidl.ifPresent(u -> {
            if (!Uidl.isValid(u)) {
                throw new InvalidInputException("malformed UIDL");
            }
        });
        local.put(recipient.accountId(), uidl);
    }

    @Override
    public void addRemote(RemoteRecipient recipient) {
        open();
        remote.putIfAbsent(recipient.address().key(), recipient);
    }

    @Override
    public void settles(long messageId, Set<Long> failedItems) {
        open();
        settledMessage = messageId;
        settled = Set.copyOf(failedItems);
    }

    @Override
    public OutputStream content() {
        open();
        return spool;
    }

    @Override
    public long size() {
        return spool.size();
    }

    private void open() {
        if (finished) {
            throw new IllegalStateException("delivery already finished");
        }
    }

    @Override
    public DeliveryReceipt commit() {
        open();
        if (local.isEmpty() && remote.isEmpty()) {
            throw new InvalidInputException("a delivery needs at least one recipient");
        }
        try {
            spool.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        boolean small = spool.size() <= StoredContent.CHUNK_SIZE;
        DeliveryReceipt receipt;
        if (!settled.isEmpty()) {
            // a DSN: it and the removal of the failures it reports commit together, or neither
            receipt = jdbc.inTransaction("deliver DSN", c -> {
                SqlQueue.settle(c, settledMessage, settled);
                return store(c, small);
            });
        } else if (!small) {
            receipt = jdbc.inTransaction("deliver message", c -> store(c, false));
        } else if (local.size() == 1 && remote.isEmpty()) {
            // the common case (one local mailbox): written together with others that arrive meanwhile
            Map.Entry<Long, Optional<String>> only = local.entrySet().iterator().next();
            receipt = groupCommit.commit("deliver message", only.getKey(), new Small(only.getKey(), only.getValue(),
                    smallContent(), spool.wireSize(), clock.instant(), envelope.received()));
        } else {
            // one statement, atomic on its own; several accounts are locked in id order
            receipt = jdbc.atomically("deliver message", c -> store(c, true));
        }
        finished = true;
        spool.discard();
        return receipt;
    }

    private DeliveryReceipt store(Connection c, boolean small) throws SQLException {
        long size = spool.size();
        Instant now = clock.instant();
        int refs = local.size() + remote.size();
        int locals = Math.min(local.size(), 2);
        boolean hasRemote = !remote.isEmpty();
        long largeId = small ? 0 : insertLarge(c, size, refs, now);
        try (PreparedStatement ps = c.prepareStatement(STATEMENTS[(small ? 6 : 0) + locals * 2 + (hasRemote ? 1 : 0)])) {
            int i = 1;
            if (small) {
                ps.setLong(i++, size);
                ps.setInt(i++, refs);
                Jdbc.setInstant(ps, i++, now);
                ps.setBytes(i++, smallContent());
            } else {
                ps.setLong(i++, largeId);
            }
            if (locals == 1) {
                Map.Entry<Long, Optional<String>> only = local.entrySet().iterator().next();
                ps.setLong(i++, spool.wireSize());
                ps.setLong(i++, only.getKey());
                ps.setString(i++, only.getValue().orElse(null));
                ps.setLong(i++, only.getKey());
                ps.setLong(i++, spool.wireSize());
                Jdbc.setInstant(ps, i++, envelope.received());
            } else if (locals == 2) {
                // accounts in id order, so that concurrent deliveries lock their counters in one order
                Map<Long, Optional<String>> accounts = new TreeMap<>(local);
                ps.setArray(i++, c.createArrayOf("bigint", accounts.keySet().toArray()));
                ps.setArray(i++, c.createArrayOf("text", accounts.values().stream().map(u -> u.orElse(null)).toArray()));
                ps.setLong(i++, spool.wireSize());
                ps.setLong(i++, spool.wireSize());
                Jdbc.setInstant(ps, i++, envelope.received());
            }
            if (hasRemote) {
                ps.setString(i++, envelope.reversePath().map(Object::toString).orElse(null));
                Jdbc.setInstant(ps, i++, envelope.received());
                Jdbc.setText(ps, i++, envelope.ret());
                Jdbc.setText(ps, i++, envelope.envId());
                ps.setBoolean(i++, envelope.smtpUtf8());
                Jdbc.setText(ps, i++, envelope.authenticated());
                ps.setBoolean(i++, envelope.requireTls());
                Jdbc.setInstant(ps, i++, now);
                Jdbc.setInstant(ps, i++, now);
                ps.setArray(i++, c.createArrayOf("text", remote.values().stream().map(r -> r.address().toString()).toArray()));
                ps.setArray(i++, c.createArrayOf("text", remote.values().stream()
                        .map(r -> String.join(",", new java.util.TreeSet<>(r.notifyOn()))).toArray()));
                ps.setArray(i++, c.createArrayOf("text", remote.values().stream().map(r -> r.orcpt().orElse(null)).toArray()));
            }
            long messageId = 0;
            int queued = 0;
            List<DeliveryReceipt.Stored> stored = new ArrayList<>();
            try (ResultSet rs = executeChecked(ps)) {
                while (rs.next()) {
                    messageId = rs.getLong(1);
                    queued = rs.getInt(2);
                    long accountId = rs.getLong(3);
                    if (!rs.wasNull()) {
                        stored.add(new DeliveryReceipt.Stored(accountId, rs.getLong(4), rs.getString(5)));
                    }
                }
            }
            // report mailboxes in the order they were added
            List<Long> order = new ArrayList<>(local.keySet());
            stored.sort(java.util.Comparator.comparingInt(s -> order.indexOf(s.accountId())));
            return new DeliveryReceipt(messageId, size, stored, queued);
        }
    }

    private static ResultSet executeChecked(PreparedStatement ps) throws SQLException {
        try {
            return ps.executeQuery();
        } catch (SQLException e) {
            if ("23502".equals(e.getSQLState()) || "23503".equals(e.getSQLState())) {
                // the entry of a mailbox that no longer exists has no uid (or no account): nothing was stored
                throw new NotFoundException("mailbox removed during delivery");
            }
            throw e;
        }
    }

    private byte[] smallContent() {
        byte[] bytes = spool.bytes();
        if (bytes != null) {
            return bytes;
        }
        try (InputStream in = spool.open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the message row with chunk 0 and then the other chunks, one chunk in memory at a time. */
    private long insertLarge(Connection c, long size, int refs, Instant now) throws SQLException {
        int chunks = (int) ((size + StoredContent.CHUNK_SIZE - 1) / StoredContent.CHUNK_SIZE);
        try (InputStream in = spool.open()) {
            long messageId;
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO messages (size, chunks, refs, created, data) VALUES (?, ?, ?, ?, ?) RETURNING id")) {
                ps.setLong(1, size);
                ps.setInt(2, chunks);
                ps.setInt(3, refs);
                Jdbc.setInstant(ps, 4, now);
                ps.setBytes(5, readChunk(in));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    messageId = rs.getLong(1);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO message_chunks (message_id, seq, data) VALUES (?, ?, ?)")) {
                for (int seq = 1; seq < chunks; seq++) {
                    ps.setLong(1, messageId);
                    ps.setInt(2, seq);
                    ps.setBytes(3, readChunk(in));
                    ps.executeUpdate();
                }
            }
            return messageId;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the spooled content", e);
        }
    }

    private static byte[] readChunk(InputStream in) throws IOException {
        byte[] chunk = in.readNBytes(StoredContent.CHUNK_SIZE);
        if (chunk.length == 0) {
            throw new StoreException("spooled content shorter than its size");
        }
        return chunk;
    }

    @Override
    public void abort() {
        finished = true;
        spool.discard();
    }

    @Override
    public void close() {
        if (!finished) {
            abort();
        }
    }
}
