package dev.mailwright.store;

import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
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
     * Records that the sender of a message is being warned of a delay, on all its items: true for
     * the one caller that recorded it first (which then sends the one warning), false for any other,
     * on any node. The warning is not sent again if it could not be stored.
     */
    boolean claimDelayWarning(long messageId);

    /** A permanent failure (or expiry) that the sender is not told of: the item leaves the queue. */
    void fail(long itemId, String worker, String reason);

    /**
     * A permanent failure (or expiry) that the sender is to be told of: the item stays, as
     * {@link QueueItem.State#FAILED} with its failure, until the one DSN covering all failed
     * recipients of its message is stored ({@link Delivery#settles}).
     * {@link LeaseLostException} if the worker no longer holds it.
     */
    void failForBounce(long itemId, String worker, String reason, QueueItem.Failure failure);

    /**
     * The FAILED items of a message once none of its items is pending (QUEUED, CLAIMED, HELD);
     * empty while one is, or when none failed.
     */
    List<QueueItem> bounceDue(long messageId);

    /**
     * Messages whose bounce is due (every item FAILED) and one of whose items failed at or before
     * {@code failedBefore}, oldest first: bounces a worker could not store or did not get to.
     */
    List<Long> bouncesDue(Instant failedBefore, int max);

    /**
     * Removes FAILED items of a message whose DSN cannot be delivered to anyone, all or none:
     * false (nothing removed) if one of them is gone, or an item of the message is pending again.
     */
    boolean dropFailures(long messageId, Set<Long> itemIds);

    /** Everything in the queue, oldest first. */
    List<QueueItem> list();

    /** How many items the queue holds, in any state (for monitoring: cheap, unlike {@link #list()}). */
    long size();

    /** When the oldest item still in the queue (in any state) was queued; empty when none is (for monitoring). */
    Optional<Instant> oldestCreated();

    Optional<QueueItem> get(long itemId);

    /**
     * An administrator's change (postsuper's {@code -r}, {@code -h}, {@code -H}, {@code -d}) to the
     * items a selection names or matches, in one transaction. Each item is changed if it can be and
     * left as it was otherwise; the result says which, per item, in id order. An item being delivered
     * now ({@link QueueItem.State#CLAIMED}) or waiting for its bounce ({@link QueueItem.State#FAILED})
     * is neither retried nor held; {@link Change#DELETE} removes an item in any state (its worker's
     * next call finds it gone), without delivering or bouncing it.
     */
    Map<Long, Outcome> change(Change change, QueueSelection selection);

    /** What an administrator can do to queue items. */
    enum Change {
        /** Makes items due now (a held item is released too). */
        RETRY,
        /** Keeps items from being claimed until released. */
        HOLD,
        /** Makes held items queued again. */
        RELEASE,
        /** Removes items without delivering them or bouncing. */
        DELETE
    }

    /** What a {@link Change} did to one item. */
    enum Outcome {
        /** Changed as asked. */
        DONE,
        /** No such item (named by id only). */
        NOT_FOUND,
        /** {@link Change#RELEASE} of an item that was not held: left as it was. */
        NOT_HELD,
        /** {@link Change#HOLD} of an item that was held already. */
        ALREADY_HELD,
        /** Claimed by a worker that is delivering it now: left as it was. */
        BEING_DELIVERED,
        /** Failed for good and waiting for its bounce: left as it was. */
        AWAITING_BOUNCE
    }
}
