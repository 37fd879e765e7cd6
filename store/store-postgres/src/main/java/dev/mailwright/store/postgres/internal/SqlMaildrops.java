package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MaildropLockedException;
import dev.mailwright.store.MaildropSession;
import dev.mailwright.store.Maildrops;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.content.TopReader;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maildrop locks as lease rows ({@code maildrop_locks}), taken with one upsert that only
 * replaces a lease that has run out; snapshots, streamed content, and deletions committed
 * only while the caller's token still holds the lock (a lease taken over is fenced: its
 * holder's commit finds another token and changes nothing). A node's heartbeat renews all its
 * leases in one statement ({@link #renewAll}); a node that starts again releases what its
 * previous run held ({@link #takeOverNode}).
 */
public final class SqlMaildrops implements Maildrops {

    private static final Logger LOG = LoggerFactory.getLogger(SqlMaildrops.class);

    private static final String TAKE = "INSERT INTO maildrop_locks AS l (account_id, token, holder, until, node, since)"
            + " VALUES (?, ?, ?, ?, ?, ?)"
            + " ON CONFLICT (account_id) DO UPDATE SET token = excluded.token, holder = excluded.holder,"
            + "   until = excluded.until, node = excluded.node, since = excluded.since"
            + " WHERE l.until <= ?"
            + " RETURNING token";

    private final Jdbc jdbc;
    private final Clock clock;
    /** The server node whose locks these are; null for a process without one (an admin command). */
    private volatile String node;

    public SqlMaildrops(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public Maildrop open(long accountId, String holder, Duration lease) {
        String token = UUID.randomUUID().toString();
        Set<Long> unmarked = new HashSet<>();
        List<MessageInfo> snapshot = jdbc.inTransaction("open maildrop", c -> {
            unmarked.clear(); // the transaction may be tried again
            Instant now = clock.instant();
            if (!take(c, accountId, token, holder, node, now.plus(lease), now)) {
                throw new MaildropLockedException("maildrop in use by " + currentHolder(c, accountId));
            }
            List<MessageInfo> list = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT uid, uidl, size, received, retrieved_at IS NULL AS unmarked"
                            + " FROM mailbox_entries WHERE account_id = ? ORDER BY uid")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(new MessageInfo(rs.getLong(1), rs.getString(2), rs.getLong(3),
                                Jdbc.getInstant(rs, "received")));
                        if (rs.getBoolean(5)) {
                            unmarked.add(rs.getLong(1));
                        }
                    }
                }
            }
            return List.copyOf(list);
        });
        return new SqlMaildrop(accountId, token, lease, snapshot, unmarked);
    }

    /** Takes the lock if it is free or its lease ran out; false while another lease runs. */
    static boolean take(Connection c, long accountId, String token, String holder, String node, Instant until,
                        Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TAKE)) {
            ps.setLong(1, accountId);
            ps.setString(2, token);
            ps.setString(3, holder);
            Jdbc.setInstant(ps, 4, until);
            ps.setString(5, node);
            Jdbc.setInstant(ps, 6, now);
            Jdbc.setInstant(ps, 7, now);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            if ("23503".equals(e.getSQLState())) {
                throw new NotFoundException("no such mailbox");
            }
            throw e;
        }
    }

    static String currentHolder(Connection c, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT holder FROM maildrop_locks WHERE account_id = ?")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "another session";
            }
        }
    }

    @Override
    public List<MaildropSession> sessions() {
        return jdbc.call("list maildrop locks", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT l.account_id, a.address, l.holder, l.node, l.since, l.until"
                            + " FROM maildrop_locks l JOIN accounts a ON a.id = l.account_id"
                            + " WHERE l.until > ? ORDER BY a.address_key")) {
                Jdbc.setInstant(ps, 1, clock.instant());
                List<MaildropSession> sessions = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        sessions.add(new MaildropSession(rs.getLong(1), Address.parse(rs.getString(2)), rs.getString(3),
                                Optional.ofNullable(rs.getString(4)), Jdbc.optionalInstant(rs, "since"),
                                Jdbc.getInstant(rs, "until")));
                    }
                }
                return sessions;
            }
        });
    }

    /** Deletes the lock row: its holder's token is gone, so its renewals and its commit fail (fenced). */
    @Override
    public boolean kick(long accountId) {
        return jdbc.call("kick maildrop holder", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM maildrop_locks WHERE account_id = ?")) {
                ps.setLong(1, accountId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public int expire(long accountId, Instant retrievedBefore) {
        String token = UUID.randomUUID().toString();
        return jdbc.inTransaction("expire messages", c -> {
            Instant now = clock.instant();
            try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM accounts WHERE id = ?")) {
                ps.setLong(1, accountId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return 0;
                    }
                }
            }
            // hold the maildrop lock for the length of this transaction; skip a locked maildrop
            if (!take(c, accountId, token, "expire", null, now.plus(Duration.ofMinutes(1)), now)) {
                return 0;
            }
            int deleted = StoredContent.deleteEntries(c, accountId, "retrieved_at < ?", (ps, i) -> {
                Jdbc.setInstant(ps, i, retrievedBefore);
                return i + 1;
            });
            release(c, accountId, token);
            return deleted;
        });
    }

    /**
     * This process is server node {@code node}, stable across its restarts: the locks it takes
     * from now on carry it, and those its previous run left behind are released, for whoever
     * held them died with that run. Only for a node that no other running process uses (the
     * server makes sure with a lock on its data directory). Returns how many were released.
     */
    public int takeOverNode(String node) {
        this.node = java.util.Objects.requireNonNull(node);
        return jdbc.call("release the locks of this node's previous run", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM maildrop_locks WHERE node = ?")) {
                ps.setString(1, node);
                return ps.executeUpdate();
            }
        });
    }

    /** One statement for all: each lease extended by its own length, if its token still holds it. */
    @Override
    public Set<Maildrop> renewAll(Collection<Maildrop> open) {
        Map<String, SqlMaildrop> byToken = new HashMap<>();
        Set<Maildrop> lost = new HashSet<>();
        for (Maildrop m : open) {
            if (m instanceof SqlMaildrop sql && !sql.closed) {
                byToken.put(sql.token, sql);
            } else if (m instanceof SqlMaildrop) {
                lost.add(m);
            } else {
                lost.addAll(Maildrops.super.renewAll(List.of(m)));
            }
        }
        if (byToken.isEmpty()) {
            return lost;
        }
        Instant now = clock.instant();
        String[] tokens = byToken.keySet().toArray(String[]::new);
        Long[] millis = new Long[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            millis[i] = byToken.get(tokens[i]).lease.toMillis();
        }
        Set<String> renewed = jdbc.call("renew maildrop locks", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE maildrop_locks l SET until = ?::timestamptz + v.lease * interval '1 millisecond'"
                            + " FROM unnest(?::text[], ?::bigint[]) AS v(token, lease)"
                            + " WHERE l.token = v.token RETURNING l.token")) {
                Jdbc.setInstant(ps, 1, now);
                ps.setArray(2, c.createArrayOf("text", tokens));
                ps.setArray(3, c.createArrayOf("bigint", millis));
                Set<String> found = new HashSet<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(rs.getString(1));
                    }
                }
                return found;
            }
        });
        byToken.forEach((token, m) -> {
            if (!renewed.contains(token)) {
                lost.add(m);
            }
        });
        return lost;
    }

    static int release(Connection c, long accountId, String token) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM maildrop_locks WHERE account_id = ? AND token = ?")) {
            ps.setLong(1, accountId);
            ps.setString(2, token);
            return ps.executeUpdate();
        }
    }


    private final class SqlMaildrop implements Maildrop {
        private final long accountId;
        private final String token;
        private final Duration lease;
        private final List<MessageInfo> snapshot;
        private final Set<Long> uids = new HashSet<>();
        /** Messages of the snapshot never retrieved before: only their first retrieval is written. */
        private final Set<Long> unmarked;
        private boolean closed;

        SqlMaildrop(long accountId, String token, Duration lease, List<MessageInfo> snapshot, Set<Long> unmarked) {
            this.accountId = accountId;
            this.token = token;
            this.lease = lease;
            this.snapshot = snapshot;
            this.unmarked = unmarked;
            snapshot.forEach(m -> uids.add(m.uid()));
        }

        @Override
        public List<MessageInfo> messages() {
            return snapshot;
        }

        @Override
        public InputStream open(long uid) {
            if (!uids.contains(uid)) {
                throw new NotFoundException("no such message: " + uid);
            }
            return jdbc.call("open message", c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT m.id, m.chunks, m.data"
                                + " FROM mailbox_entries e JOIN messages m ON m.id = e.message_id"
                                + " WHERE e.account_id = ? AND e.uid = ?")) {
                    ps.setLong(1, accountId);
                    ps.setLong(2, uid);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new NotFoundException("no such message: " + uid);
                        }
                        return new ChunkInputStream(jdbc, rs.getLong(1), rs.getInt(2), rs.getBytes(3));
                    }
                }
            });
        }

        /** Messages of one chunk in one query; those of several chunks are left to {@link #open}. */
        @Override
        public Map<Long, byte[]> readAll(List<Long> wanted) {
            for (long uid : wanted) {
                if (!uids.contains(uid)) {
                    throw new NotFoundException("no such message: " + uid);
                }
            }
            if (wanted.isEmpty()) {
                return Map.of();
            }
            return jdbc.call("read messages", c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT e.uid, m.data"
                                + " FROM mailbox_entries e JOIN messages m ON m.id = e.message_id"
                                + " WHERE e.account_id = ? AND e.uid = ANY(?) AND m.chunks = 1")) {
                    ps.setLong(1, accountId);
                    ps.setArray(2, c.createArrayOf("bigint", wanted.toArray()));
                    Map<Long, byte[]> contents = new HashMap<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            contents.put(rs.getLong(1), rs.getBytes(2));
                        }
                    }
                    return contents;
                }
            });
        }

        @Override
        public InputStream openTop(long uid, int bodyLines) {
            return new TopReader(open(uid), bodyLines);
        }

        @Override
        public void renew() {
            if (closed) {
                throw new LeaseLostException("maildrop closed");
            }
            jdbc.call("renew maildrop lock", c -> {
                try (PreparedStatement ps = c.prepareStatement(
                        "UPDATE maildrop_locks SET until = ? WHERE account_id = ? AND token = ?")) {
                    Jdbc.setInstant(ps, 1, clock.instant().plus(lease));
                    ps.setLong(2, accountId);
                    ps.setString(3, token);
                    if (ps.executeUpdate() == 0) {
                        throw new LeaseLostException("maildrop lock lost");
                    }
                    return null;
                }
            });
        }

        @Override
        public void commit(Set<Long> deleted, Set<Long> retrieved) {
            if (closed) {
                throw new LeaseLostException("maildrop closed");
            }
            Long[] delete = deleted.toArray(Long[]::new);
            Long[] mark = retrieved.stream().filter(u -> !deleted.contains(u) && unmarked.contains(u))
                    .toArray(Long[]::new);
            jdbc.inTransaction("commit maildrop changes", c -> {
                // releasing the lock first checks that it is still ours and holds its row to the end
                if (release(c, accountId, token) == 0) {
                    throw new LeaseLostException("maildrop lock lost");
                }
                if (mark.length > 0) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "UPDATE mailbox_entries SET retrieved_at = ?"
                                    + " WHERE account_id = ? AND uid = ANY(?) AND retrieved_at IS NULL")) {
                        Jdbc.setInstant(ps, 1, clock.instant());
                        ps.setLong(2, accountId);
                        ps.setArray(3, c.createArrayOf("bigint", mark));
                        ps.executeUpdate();
                    }
                }
                if (delete.length > 0) {
                    StoredContent.deleteEntries(c, accountId, "uid = ANY(?)", (ps, i) -> {
                        ps.setArray(i, c.createArrayOf("bigint", delete));
                        return i + 1;
                    });
                }
                return null;
            });
            closed = true;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                jdbc.call("release maildrop lock", c -> release(c, accountId, token));
            } catch (StoreException e) {
                // the lease runs out by itself
                LOG.warn("could not release the maildrop lock of account {}: {}", accountId, e.getMessage());
            }
        }
    }
}
