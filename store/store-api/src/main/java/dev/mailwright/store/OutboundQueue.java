package dev.mailwright.store;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Remote recipients waiting for delivery. Items enter through {@link Delivery#commit()}.
 * Workers on any number of nodes claim due items with a lease; a claimed item is not handed
 * to another worker until its lease has run out.
 */
public interface OutboundQueue {

    /** Claims up to {@code max} items due at {@code now} (QUEUED, or CLAIMED with an expired lease), oldest first. */
    List<QueueItem> claim(String worker, int max, Duration lease);

    /** The stored content of a queued message, streamed. */
    InputStream openContent(long messageId);

    /** The item was delivered: it leaves the queue. {@link LeaseLostException} if the worker no longer holds it. */
    void complete(long itemId, String worker);

    /** A temporary failure: try again at {@code next}; the attempt counter goes up. */
    void reschedule(long itemId, String worker, Instant next, String reason);

    /**
     * Extends the lease of a claimed item to {@code lease} from now, for a delivery that takes
     * long. {@link LeaseLostException} if the worker no longer holds it.
     */
    void renew(long itemId, String worker, Duration lease);

    /**
     * Gives a claimed item back without counting an attempt (a worker shutting down in the middle
     * of a delivery): it is due again at once. {@link LeaseLostException} if the worker no longer holds it.
     */
    void abandon(long itemId, String worker);

    /**
     * Records that the sender got a delay warning for this item, so that it gets only one.
     * {@link LeaseLostException} if the worker no longer holds it.
     */
    void markDelayWarned(long itemId, String worker);

    /** A permanent failure (or expiry): the item leaves the queue; the caller bounces. */
    void fail(long itemId, String worker, String reason);

    /** Everything in the queue, oldest first. */
    List<QueueItem> list();

    /** How many items the queue holds, in any state (for monitoring: cheap, unlike {@link #list()}). */
    long size();

    Optional<QueueItem> get(long itemId);

    // An administrator's changes: each acts on all the given items in one transaction, or on none
    // ({@link NotFoundException} naming an unknown item; a {@link StoreException} when one is
    // being delivered now, for all but delete and release).

    /** Makes items due now. */
    void retryNow(Set<Long> itemIds);

    /** Keeps items from being claimed until released. */
    void hold(Set<Long> itemIds);

    /** Makes held items queued again; items not held stay as they are. */
    void release(Set<Long> itemIds);

    /** Removes items without delivering them or bouncing. */
    void delete(Set<Long> itemIds);
}
