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
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
               .append("   RETURNING next_uid - 1 AS uid, coalesce(?::text, mailwright_uidl(uid_validity, next_uid - 1)) AS uidl)")
               // LEFT JOIN: a mailbox that is gone leaves a null uid, which fails the statement
               .append(", e AS (INSERT INTO mailbox_entries (account_id, uid, uidl, message_id, size, received)")
               .append("   SELECT ?, a.uid, a.uidl, m.id, ?, ? FROM m LEFT JOIN a ON true RETURNING account_id, uid, uidl)");
        } else if (locals == 2) {
            sql.append(", r AS (SELECT * FROM unnest(?::bigint[], ?::text[]) AS r(account_id, uidl))")
               .append(", a AS (UPDATE accounts SET next_uid = accounts.next_uid + 1,")
               .append("     messages = accounts.messages + 1, bytes = accounts.bytes + ?")
               .append("   FROM r WHERE accounts.id = r.account_id")
               .append("   RETURNING accounts.id AS account_id, accounts.next_uid - 1 AS uid,")
               .append("     coalesce(r.uidl, mailwright_uidl(accounts.uid_validity, accounts.next_uid - 1)) AS uidl)")
               // from r, not from a: a mailbox that is gone leaves a null uid, which fails the statement
               .append(", e AS (INSERT INTO mailbox_entries (account_id, uid, uidl, message_id, size, received)")
               .append("   SELECT r.account_id, a.uid, a.uidl, m.id, ?, ?")
               .append("   FROM m, r LEFT JOIN a ON a.account_id = r.account_id RETURNING account_id, uid, uidl)");
        }
        if (hasRemote) {
            sql.append(", q AS (INSERT INTO queue (message_id, reverse_path, received, ret, env_id, smtp_utf8, auth,")
               .append("     recipient, notify, orcpt, state, created, next_attempt)")
               .append("   SELECT m.id, ?, ?, ?, ?, ?, ?, t.recipient, t.notify, t.orcpt, 'QUEUED', ?, ?")
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

    private final Jdbc jdbc;
    private final GroupCommit groupCommit;
    private final Clock clock;
    private final Envelope envelope;
    private final Map<Long, Optional<String>> local = new LinkedHashMap<>();
    private final Map<String, RemoteRecipient> remote = new LinkedHashMap<>();
    private final ContentSpool spool;
    private boolean finished;
    private long settledMessage;
    private Set<Long> settled = Set.of();

    public SqlDelivery(Jdbc jdbc, GroupCommit groupCommit, Clock clock, Envelope envelope, Path spoolDirectory) {
        this.jdbc = jdbc;
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

    @Override
    public Resolution addRecipient(Address recipient, long expectedSize) {
        open();
        Resolution resolution = jdbc.call("resolve recipient", c -> {
            SqlDirectory directory = SqlDirectory.on(c);
            Resolution resolved = directory.resolve(recipient);
            for (LocalRecipient mailbox : resolved.local()) {
                SqlDirectory.Mailbox found = directory.mailbox(mailbox.accountId());
                if (!found.quota().allows(found.usage(), expectedSize)) {
                    throw new QuotaExceededException("mailbox full: " + found.recipient().mailbox());
                }
            }
            return resolved;
        });
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
        } else if (local.size() <= 1) {
            // one statement that locks at most one account's counters: shares a commit with others
            receipt = groupCommit.commit("deliver message", local.isEmpty() ? -1 : local.keySet().iterator().next(),
                    c -> store(c, true));
        } else {
            // one statement, atomic on its own; it locks several accounts (in id order), so it runs alone
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
