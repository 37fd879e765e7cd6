package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.QueueSelection;
import dev.mailwright.store.internal.QueueChanges;
import dev.mailwright.store.RemoteRecipient;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The outbound queue in SQL. Claims take due rows with {@code FOR UPDATE SKIP LOCKED}, so any
 * number of workers on any number of nodes never get the same item; finishing an item drops
 * its reference to the stored content in the same transaction.
 */
public final class SqlQueue implements OutboundQueue {

    private static final String COLUMNS = "id, message_id, reverse_path, received, ret, env_id, smtp_utf8, auth, require_tls,"
            + " recipient, notify, orcpt, state, attempts, created, next_attempt, last_error, delay_warned,"
            + " failed_status, failed_diagnostic, failed_remote_mta, failed_at";

    private final Jdbc jdbc;
    private final Clock clock;

    public SqlQueue(Jdbc jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public List<QueueItem> claim(String worker, int max, Duration lease) {
        if (max <= 0) {
            return List.of();
        }
        return jdbc.call("claim queue items", c -> {
            Instant now = clock.instant();
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE queue SET state = 'CLAIMED', worker = ?, lease_until = ? WHERE id IN ("
                            + " SELECT id FROM queue"
                            + " WHERE (state = 'QUEUED' AND next_attempt <= ?) OR (state = 'CLAIMED' AND lease_until <= ?)"
                            + " ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED)"
                            + " RETURNING " + COLUMNS)) {
                ps.setString(1, worker);
                Jdbc.setInstant(ps, 2, now.plus(lease));
                Jdbc.setInstant(ps, 3, now);
                Jdbc.setInstant(ps, 4, now);
                ps.setInt(5, max);
                List<QueueItem> items = readAll(ps);
                items.sort(Comparator.comparingLong(QueueItem::id));
                return items;
            }
        });
    }

    @Override
    public InputStream openContent(long messageId) {
        return jdbc.call("open queued message", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT chunks, data FROM messages WHERE id = ?")) {
                ps.setLong(1, messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new NotFoundException("no such message: " + messageId);
                    }
                    return new ChunkInputStream(jdbc, messageId, rs.getInt(1), rs.getBytes(2));
                }
            }
        });
    }

    @Override
    public void complete(long itemId, String worker) {
        remove(itemId, worker, "complete queue item");
    }

    @Override
    public void fail(long itemId, String worker, String reason) {
        remove(itemId, worker, "fail queue item");
    }

    private void remove(long itemId, String worker, String what) {
        jdbc.inTransaction(what, c -> {
            long messageId;
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM queue WHERE id = ? AND state = 'CLAIMED' AND worker = ? RETURNING message_id")) {
                ps.setLong(1, itemId);
                ps.setString(2, worker);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new LeaseLostException("queue item " + itemId + " is not claimed by " + worker);
                    }
                    messageId = rs.getLong(1);
                }
            }
            StoredContent.release(c, new long[] {messageId});
            return null;
        });
    }

    @Override
    public void reschedule(long itemId, String worker, Instant next, String reason) {
        jdbc.call("reschedule queue item", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE queue SET state = 'QUEUED', attempts = attempts + 1, next_attempt = ?, last_error = ?,"
                            + " worker = NULL, lease_until = NULL WHERE id = ? AND state = 'CLAIMED' AND worker = ?")) {
                Jdbc.setInstant(ps, 1, next);
                ps.setString(2, reason);
                ps.setLong(3, itemId);
                ps.setString(4, worker);
                if (ps.executeUpdate() == 0) {
                    throw new LeaseLostException("queue item " + itemId + " is not claimed by " + worker);
                }
                return null;
            }
        });
    }

    @Override
    public void renew(long itemId, String worker, Duration lease) {
        jdbc.call("renew queue item lease", c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE queue SET lease_until = ?"
                    + " WHERE id = ? AND state = 'CLAIMED' AND worker = ?")) {
                Jdbc.setInstant(ps, 1, clock.instant().plus(lease));
                ps.setLong(2, itemId);
                ps.setString(3, worker);
                if (ps.executeUpdate() == 0) {
                    throw new LeaseLostException("queue item " + itemId + " is not claimed by " + worker);
                }
                return null;
            }
        });
    }

    @Override
    public void abandon(long itemId, String worker) {
        held(itemId, worker, "abandon queue item", "state = 'QUEUED', worker = NULL, lease_until = NULL");
    }

    @Override
    public boolean claimDelayWarning(long messageId) {
        return jdbc.inTransaction("claim delay warning", c -> {
            if (!lockMessage(c, messageId)) {
                return false;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE queue SET delay_warned = true WHERE message_id = ? AND NOT delay_warned")) {
                ps.setLong(1, messageId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void failForBounce(long itemId, String worker, String reason, QueueItem.Failure failure) {
        jdbc.call("fail queue item for bounce", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE queue SET state = 'FAILED', last_error = ?, failed_status = ?, failed_diagnostic = ?,"
                            + " failed_remote_mta = ?, failed_at = ?, worker = NULL, lease_until = NULL"
                            + " WHERE id = ? AND state = 'CLAIMED' AND worker = ?")) {
                ps.setString(1, reason);
                ps.setString(2, failure.status());
                ps.setString(3, failure.diagnostic());
                Jdbc.setText(ps, 4, failure.remoteMta());
                Jdbc.setInstant(ps, 5, failure.at());
                ps.setLong(6, itemId);
                ps.setString(7, worker);
                if (ps.executeUpdate() == 0) {
                    throw new LeaseLostException("queue item " + itemId + " is not claimed by " + worker);
                }
                return null;
            }
        });
    }

    @Override
    public List<QueueItem> bounceDue(long messageId) {
        return jdbc.call("find failures to bounce", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT " + COLUMNS + " FROM queue WHERE message_id = ? ORDER BY id")) {
                ps.setLong(1, messageId);
                List<QueueItem> items = readAll(ps);
                return items.stream().anyMatch(i -> i.state().pending()) ? List.<QueueItem>of() : items;
            }
        });
    }

    @Override
    public List<Long> bouncesDue(Instant failedBefore, int max) {
        return jdbc.call("find due bounces", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT DISTINCT f.message_id FROM queue f WHERE f.state = 'FAILED' AND f.failed_at <= ?"
                            + " AND NOT EXISTS (SELECT 1 FROM queue p WHERE p.message_id = f.message_id"
                            + " AND p.state <> 'FAILED') ORDER BY f.message_id LIMIT ?")) {
                Jdbc.setInstant(ps, 1, failedBefore);
                ps.setInt(2, max);
                List<Long> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getLong(1));
                    }
                }
                return ids;
            }
        });
    }

    @Override
    public boolean dropFailures(long messageId, Set<Long> itemIds) {
        try {
            jdbc.inTransaction("drop failures", c -> {
                settle(c, messageId, itemIds);
                return null;
            });
            return true;
        } catch (LeaseLostException e) {
            return false;
        }
    }

    /**
     * Removes FAILED items of a message whose bounce this transaction stores, all or none. The lock
     * on the message's row makes concurrent bounces of one message take turns: the second finds
     * the items gone and throws {@link LeaseLostException}, which rolls its transaction (and so its
     * DSN) back.
     */
    static void settle(Connection c, long messageId, Set<Long> itemIds) throws SQLException {
        if (!lockMessage(c, messageId)) {
            throw new LeaseLostException("message " + messageId + " is no longer queued");
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM queue WHERE message_id = ? AND state <> 'FAILED'")) {
            ps.setLong(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    throw new LeaseLostException("message " + messageId + " has items pending again");
                }
            }
        }
        int removed;
        try (PreparedStatement ps = c.prepareStatement(
                "DELETE FROM queue WHERE message_id = ? AND state = 'FAILED' AND id = ANY(?)")) {
            ps.setLong(1, messageId);
            ps.setArray(2, c.createArrayOf("bigint", itemIds.toArray()));
            removed = ps.executeUpdate();
        }
        if (removed != itemIds.size()) {
            throw new LeaseLostException("the failures of message " + messageId + " were already reported");
        }
        long[] refs = new long[removed];
        Arrays.fill(refs, messageId);
        StoredContent.release(c, refs);
    }

    /** Locks the stored message's row (the queue's items of one message take turns on it); false if it is gone. */
    private static boolean lockMessage(Connection c, long messageId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM messages WHERE id = ? FOR UPDATE")) {
            ps.setLong(1, messageId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** A change to an item that {@code worker} holds. */
    private void held(long itemId, String worker, String what, String assignments) {
        jdbc.call(what, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE queue SET " + assignments
                    + " WHERE id = ? AND state = 'CLAIMED' AND worker = ?")) {
                ps.setLong(1, itemId);
                ps.setString(2, worker);
                if (ps.executeUpdate() == 0) {
                    throw new LeaseLostException("queue item " + itemId + " is not claimed by " + worker);
                }
                return null;
            }
        });
    }

    @Override
    public List<QueueItem> list() {
        return jdbc.call("list queue", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM queue ORDER BY id")) {
                return readAll(ps);
            }
        });
    }

    @Override
    public long size() {
        return jdbc.call("count queue", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM queue");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public Optional<Instant> oldestCreated() {
        return jdbc.call("oldest queue item", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT min(created) AS oldest FROM queue");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(Jdbc.getInstant(rs, "oldest"));
            }
        });
    }

    @Override
    public Optional<QueueItem> get(long itemId) {
        return jdbc.call("get queue item", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM queue WHERE id = ?")) {
                ps.setLong(1, itemId);
                return readAll(ps).stream().findFirst();
            }
        });
    }

    @Override
    public Map<Long, Outcome> change(Change change, QueueSelection selection) {
        return jdbc.inTransaction(change.name().toLowerCase(java.util.Locale.ROOT) + " queue items", c -> {
            Map<Long, Outcome> outcomes = new TreeMap<>();
            List<Long> changed = new ArrayList<>();
            lockSelected(c, selection).forEach((id, state) -> {
                Outcome o = QueueChanges.outcome(change, QueueItem.State.valueOf(state));
                outcomes.put(id, o);
                if (o == Outcome.DONE) {
                    changed.add(id);
                }
            });
            selection.ids().ifPresent(ids -> ids.stream().filter(id -> !outcomes.containsKey(id))
                    .forEach(id -> outcomes.put(id, Outcome.NOT_FOUND)));
            if (changed.isEmpty()) {
                return outcomes;
            }
            java.sql.Array ids = c.createArrayOf("bigint", changed.toArray());
            if (change == Change.DELETE) {
                List<Long> messages = new ArrayList<>();
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM queue WHERE id = ANY(?) RETURNING message_id")) {
                    ps.setArray(1, ids);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            messages.add(rs.getLong(1));
                        }
                    }
                }
                StoredContent.release(c, messages.stream().mapToLong(Long::longValue).toArray());
                return outcomes;
            }
            String assignments = switch (change) {
                case RETRY -> "state = 'QUEUED', next_attempt = ?";
                case HOLD -> "state = 'HELD'";
                default -> "state = 'QUEUED'";
            };
            try (PreparedStatement ps = c.prepareStatement("UPDATE queue SET " + assignments + " WHERE id = ANY(?)")) {
                int i = 1;
                if (change == Change.RETRY) {
                    Jdbc.setInstant(ps, i++, clock.instant());
                }
                ps.setArray(i, ids);
                ps.executeUpdate();
            }
            return outcomes;
        });
    }

    /** Locks the selected items (in id order) and gives their states. */
    private static Map<Long, String> lockSelected(Connection c, QueueSelection selection) throws SQLException {
        StringBuilder where = new StringBuilder("TRUE");
        List<Object> args = new ArrayList<>();
        if (selection.ids().isPresent()) {
            where.append(" AND id = ANY(?)");
            args.add(c.createArrayOf("bigint", selection.ids().get().toArray()));
        }
        if (selection.sender().isPresent()) {
            if (selection.sender().get().isEmpty()) {
                where.append(" AND reverse_path IS NULL");
            } else {
                where.append(" AND lower(reverse_path) = ?");
                args.add(selection.sender().get());
            }
        }
        if (selection.recipientDomain().isPresent()) {
            // recipients are kept as given: the domain in either form (A-labels or U-labels)
            String domain = selection.recipientDomain().get();
            where.append(" AND lower(substring(recipient from '[^@]*$')) = ANY(?)");
            args.add(c.createArrayOf("text", new Object[] {domain, Address.unicodeDomain(domain)}));
        }
        Map<Long, String> states = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, state FROM queue WHERE " + where + " ORDER BY id FOR UPDATE")) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    states.put(rs.getLong(1), rs.getString(2));
                }
            }
        }
        return states;
    }

    private static List<QueueItem> readAll(PreparedStatement ps) throws SQLException {
        List<QueueItem> items = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                items.add(item(rs));
            }
        }
        return items;
    }

    private static QueueItem item(ResultSet rs) throws SQLException {
        String reversePath = rs.getString("reverse_path");
        Envelope envelope = new Envelope(Optional.ofNullable(reversePath).map(Address::parse),
                Jdbc.getInstant(rs, "received"), Jdbc.optionalText(rs, "ret"), Jdbc.optionalText(rs, "env_id"),
                rs.getBoolean("smtp_utf8"), Jdbc.optionalText(rs, "auth"), rs.getBoolean("require_tls"));
        String notify = rs.getString("notify");
        Set<String> notifyOn = notify.isEmpty() ? Set.of()
                : Arrays.stream(notify.split(",")).collect(Collectors.toUnmodifiableSet());
        RemoteRecipient recipient = new RemoteRecipient(Address.parse(rs.getString("recipient")), notifyOn,
                Jdbc.optionalText(rs, "orcpt"));
        Instant failedAt = Jdbc.getInstant(rs, "failed_at");
        Optional<QueueItem.Failure> failure = failedAt == null ? Optional.empty()
                : Optional.of(new QueueItem.Failure(rs.getString("failed_status"), rs.getString("failed_diagnostic"),
                        Jdbc.optionalText(rs, "failed_remote_mta"), failedAt));
        return new QueueItem(rs.getLong("id"), rs.getLong("message_id"), envelope, recipient,
                QueueItem.State.valueOf(rs.getString("state")), rs.getInt("attempts"), Jdbc.getInstant(rs, "created"),
                Jdbc.getInstant(rs, "next_attempt"), Jdbc.optionalText(rs, "last_error"),
                rs.getBoolean("delay_warned"), failure);
    }
}
