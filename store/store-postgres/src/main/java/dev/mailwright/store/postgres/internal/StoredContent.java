package dev.mailwright.store.postgres.internal;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reference counting of stored content, and the deletion of mailbox entries that goes with
 * it: content is deleted (with its chunks) in the same transaction that drops its last user.
 */
public final class StoredContent {

    /** A chunk (the one in {@code messages}, or a row of {@code message_chunks}) holds at most this many octets. */
    public static final int CHUNK_SIZE = 256 * 1024;

    private StoredContent() {
    }

    /** Binds the parameters of a predicate from {@code firstIndex} on; returns the next free index. */
    @FunctionalInterface
    public interface Binder {
        int bind(PreparedStatement ps, int firstIndex) throws SQLException;
    }

    /**
     * Deletes the entries of one account that match {@code predicate} (SQL over
     * {@code mailbox_entries}, parameters bound by {@code binder}), lowers the account's
     * counters and releases the content. Returns how many entries went.
     */
    public static int deleteEntries(Connection c, long accountId, String predicate, Binder binder) throws SQLException {
        String sql = "WITH d AS (DELETE FROM mailbox_entries WHERE account_id = ? AND (" + predicate + ")"
                + " RETURNING message_id, size),"
                + " s AS (SELECT count(*) AS n, coalesce(sum(size), 0) AS b, array_agg(message_id) AS ids FROM d),"
                + " u AS (UPDATE accounts SET messages = messages - s.n, bytes = bytes - s.b FROM s"
                + " WHERE accounts.id = ? AND s.n > 0)"
                + " SELECT n, ids FROM s";
        long[] ids;
        int deleted;
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, accountId);
            ps.setLong(binder.bind(ps, 2), accountId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                deleted = rs.getInt(1);
                Array a = rs.getArray(2);
                ids = a == null ? new long[0] : toLongs((Object[]) a.getArray());
            }
        }
        release(c, ids);
        return deleted;
    }

    /** Drops one reference per element of {@code messageIds} (repeats allowed); deletes what nothing uses. */
    public static void release(Connection c, long[] messageIds) throws SQLException {
        if (messageIds.length == 0) {
            return;
        }
        List<Long> unused = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(
                "WITH r AS (SELECT id, count(*) AS n FROM unnest(?::bigint[]) AS u(id) GROUP BY id)"
                        + " UPDATE messages SET refs = messages.refs - r.n FROM r WHERE messages.id = r.id"
                        + " RETURNING messages.id, messages.refs")) {
            ps.setArray(1, c.createArrayOf("bigint", box(messageIds)));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getInt(2) <= 0) {
                        unused.add(rs.getLong(1));
                    }
                }
            }
        }
        if (!unused.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM messages WHERE id = ANY(?)")) {
                ps.setArray(1, c.createArrayOf("bigint", unused.toArray()));
                ps.executeUpdate();
            }
        }
    }

    static Long[] box(long[] values) {
        Long[] out = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static long[] toLongs(Object[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = ((Number) values[i]).longValue();
        }
        return out;
    }
}
