package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.MailboxImport;
import dev.mailwright.store.Mailboxes;
import dev.mailwright.store.MaildropLockedException;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.NotFoundException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The administrator's view: reads without the maildrop lock; deletes inside one transaction
 * that holds the lock (taken like {@link SqlMaildrops#expire}), so it refuses while a POP3
 * session holds it and a session cannot start halfway through.
 */
public final class SqlMailboxes implements Mailboxes {

    private final Jdbc jdbc;
    private final Clock clock;

    public SqlMailboxes(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    private static void requireAccount(Connection c, long accountId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM accounts WHERE id = ?")) {
            ps.setLong(1, accountId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new NotFoundException("no such mailbox: " + accountId);
                }
            }
        }
    }

    @Override
    public List<MessageInfo> list(long accountId) {
        return list(accountId, 0, Long.MAX_VALUE);
    }

    /** LIMIT and OFFSET along the primary key (account_id, uid): only the page is read out and sent. */
    @Override
    public List<MessageInfo> list(long accountId, long offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new InvalidInputException("offset and limit must not be negative");
        }
        return list(accountId, offset, (long) limit);
    }

    private List<MessageInfo> list(long accountId, long offset, long limit) {
        return jdbc.inTransaction("list mailbox", c -> {
            requireAccount(c, accountId);
            List<MessageInfo> list = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT uid, uidl, size, received FROM mailbox_entries WHERE account_id = ? ORDER BY uid"
                            + (limit == Long.MAX_VALUE && offset == 0 ? "" : " LIMIT ? OFFSET ?"))) {
                ps.setLong(1, accountId);
                if (limit != Long.MAX_VALUE || offset != 0) {
                    ps.setLong(2, limit);
                    ps.setLong(3, offset);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        list.add(new MessageInfo(rs.getLong(1), rs.getString(2), rs.getLong(3),
                                Jdbc.getInstant(rs, "received")));
                    }
                }
            }
            return List.copyOf(list);
        });
    }

    @Override
    public InputStream open(long accountId, long uid) {
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

    @Override
    public int delete(long accountId, Set<Long> uids) {
        Long[] delete = uids.toArray(Long[]::new);
        String token = UUID.randomUUID().toString();
        return jdbc.inTransaction("delete messages", c -> {
            requireAccount(c, accountId);
            Instant now = clock.instant();
            if (!SqlMaildrops.take(c, accountId, token, "administrator", null, now.plus(Duration.ofMinutes(1)), now)) {
                throw new MaildropLockedException("maildrop in use by " + SqlMaildrops.currentHolder(c, accountId));
            }
            int deleted = delete.length == 0 ? 0 : StoredContent.deleteEntries(c, accountId, "uid = ANY(?)", (ps, i) -> {
                ps.setArray(i, c.createArrayOf("bigint", delete));
                return i + 1;
            });
            SqlMaildrops.release(c, accountId, token);
            return deleted;
        });
    }

    @Override
    public MailboxImport beginImport(long accountId) {
        return new SqlMailboxImport(jdbc, clock, accountId);
    }

    @Override
    public Map<Long, String> contentDigests(long accountId) {
        return jdbc.inTransaction("read content digests", c -> {
            requireAccount(c, accountId);
            Map<Long, String> digests = new TreeMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT e.uid, m.sha256 FROM mailbox_entries e"
                    + " JOIN messages m ON m.id = e.message_id WHERE e.account_id = ? AND m.sha256 IS NOT NULL")) {
                ps.setLong(1, accountId);
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        digests.put(rs.getLong(1), HexFormat.of().formatHex(rs.getBytes(2)));
                    }
                }
            }
            return digests;
        });
    }
}
