package dev.mailwright.store;

import java.time.Instant;
import java.util.Optional;

/**
 * One remote recipient of one message in the outbound queue.
 *
 * @param id          queue item id
 * @param messageId   the stored content to send
 * @param envelope    sender and DSN envelope parameters of the message
 * @param recipient   the recipient with its DSN parameters
 * @param state       where the item is in its life
 * @param attempts    delivery attempts made so far
 * @param nextAttempt when the item is due next
 * @param lastError   the last failure, if any
 * @param delayWarned whether the sender was already told that delivery is delayed (a DSN with action delayed)
 */
public record QueueItem(long id, long messageId, Envelope envelope, RemoteRecipient recipient, State state,
                        int attempts, Instant created, Instant nextAttempt, Optional<String> lastError,
                        boolean delayWarned) {

    /** An item whose sender has not been warned of a delay. */
    public QueueItem(long id, long messageId, Envelope envelope, RemoteRecipient recipient, State state,
                     int attempts, Instant created, Instant nextAttempt, Optional<String> lastError) {
        this(id, messageId, envelope, recipient, state, attempts, created, nextAttempt, lastError, false);
    }

    /** The life of a queue item. Delivered and failed items leave the queue. */
    public enum State {
        /** Waiting for {@code nextAttempt}. */
        QUEUED,
        /** Claimed by a worker whose lease has not expired. */
        CLAIMED,
        /** Held by an administrator; not delivered until released. */
        HELD
    }

    /** The recipient's domain, by which workers group deliveries. */
    public String domain() {
        return recipient.address().domain();
    }
}
