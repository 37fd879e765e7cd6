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
 * @param delayWarned whether the sender was already told that delivery of this message is delayed
 *                    (a DSN with action delayed; one per message)
 * @param failure     for a {@link State#FAILED} item: what the sender's DSN is to say
 */
public record QueueItem(long id, long messageId, Envelope envelope, RemoteRecipient recipient, State state,
                        int attempts, Instant created, Instant nextAttempt, Optional<String> lastError,
                        boolean delayWarned, Optional<Failure> failure) {

    /** An item that has not failed for good. */
    public QueueItem(long id, long messageId, Envelope envelope, RemoteRecipient recipient, State state,
                     int attempts, Instant created, Instant nextAttempt, Optional<String> lastError,
                     boolean delayWarned) {
        this(id, messageId, envelope, recipient, state, attempts, created, nextAttempt, lastError, delayWarned,
                Optional.empty());
    }

    /** An item whose sender has not been warned of a delay. */
    public QueueItem(long id, long messageId, Envelope envelope, RemoteRecipient recipient, State state,
                     int attempts, Instant created, Instant nextAttempt, Optional<String> lastError) {
        this(id, messageId, envelope, recipient, state, attempts, created, nextAttempt, lastError, false);
    }

    /**
     * The life of a queue item. Delivered items leave the queue; failed ones too, unless the sender
     * is to get a DSN: then they wait as {@link #FAILED} until one DSN covers all failed recipients
     * of their message.
     */
    public enum State {
        /** Waiting for {@code nextAttempt}. */
        QUEUED,
        /** Claimed by a worker whose lease has not expired. */
        CLAIMED,
        /** Held by an administrator; not delivered until released. */
        HELD,
        /**
         * Failed for good; waits, with its {@link QueueItem#failure()}, until no other item of the
         * message is pending, then leaves with the one DSN that reports it.
         */
        FAILED;

        /** Whether an item in this state may still be delivered (QUEUED, CLAIMED, HELD). */
        public boolean pending() {
            return this != FAILED;
        }
    }

    /**
     * A permanent failure (or expiry), kept for the DSN (RFC 3464 per-recipient fields).
     *
     * @param status     the enhanced status code, e.g. {@code 5.1.1}
     * @param diagnostic the Diagnostic-Code value with its type, e.g. {@code smtp; 550 5.1.1 no such user}
     * @param remoteMta  the host that answered, if one did
     * @param at         when the last attempt was made (Last-Attempt-Date)
     */
    public record Failure(String status, String diagnostic, Optional<String> remoteMta, Instant at) {
    }

    /** The recipient's domain, by which workers group deliveries. */
    public String domain() {
        return recipient.address().domain();
    }
}
