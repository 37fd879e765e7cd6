package dev.mailwright.store;

import java.io.OutputStream;
import java.util.Optional;
import java.util.Set;

/**
 * One message on its way into the store: {@code begin -> recipients -> content -> commit | abort}.
 *
 * <p>The content is spooled (memory, then a temporary file past a threshold) while it
 * arrives, so no database transaction stays open during a slow client. {@link #commit()}
 * then stores the content once for all local recipients, adds each mailbox entry with its
 * UID and UIDL, queues the remote recipients, and updates counters and quota usage, all in
 * one database transaction. {@link #close()} without commit aborts. Not thread-safe: one
 * delivery belongs to one SMTP transaction.
 */
public interface Delivery extends AutoCloseable {

    /**
     * Adds a local mailbox. Throws {@link QuotaExceededException} when the mailbox cannot take a
     * message of {@code expectedSize} octets (0 if unknown). A mailbox added twice gets one copy.
     */
    void addLocal(Resolution.LocalRecipient recipient, long expectedSize);

    /**
     * Resolves {@code recipient} as {@link Recipients#resolve} does and adds every local mailbox it
     * reaches, each checked for room for {@code expectedSize} octets (0 if unknown): the SMTP
     * {@code RCPT} of a store in one call, one round trip to the database in the common case.
     * When a mailbox is full, {@link QuotaExceededException} is thrown and none of this
     * recipient's mailboxes is added. The remote addresses of the returned resolution are not
     * added: the caller adds those it accepts with {@link #addRemote} and its DSN parameters.
     */
    Resolution addRecipient(Address recipient, long expectedSize);

    /**
     * Whether {@link #addRecipient} would answer for {@code recipient} without blocking: the store
     * remembers how the address resolves and no mailbox it reaches has a quota to read. A true
     * answer holds for the next {@code addRecipient} of that address on this delivery (what was
     * remembered is kept for it), so that SMTP can answer such a RCPT on its I/O thread. The
     * default is the safe answer.
     */
    default boolean remembers(Address recipient) {
        return false;
    }

    /** Adds a local mailbox with a UIDL carried over by an importer; it must be unused in that mailbox. */
    void addLocal(Resolution.LocalRecipient recipient, Optional<String> uidl);

    /** Adds a remote recipient to be queued for outbound delivery. */
    void addRemote(RemoteRecipient recipient);

    /**
     * Makes this delivery the DSN that reports the given FAILED queue items of message
     * {@code messageId} ({@link OutboundQueue#bounceDue}): {@link #commit()} removes them in the
     * same transaction, or, if one of them is gone (another worker's DSN reported it) or an item
     * of the message is pending again, stores nothing and throws {@link LeaseLostException}. So
     * the sender gets exactly one DSN per message however many workers finish its items at once.
     */
    void settles(long messageId, Set<Long> failedItems);

    /** Where the message content goes, exactly as it should be stored (SMTP already unstuffed). */
    OutputStream content();

    /** Octets written to {@link #content()} so far. */
    long size();

    /**
     * Stores everything in one transaction; returns only after the commit is durable.
     * Throws {@link StoreUnavailableException} (nothing stored) or
     * {@link InvalidInputException} when there is no recipient.
     */
    DeliveryReceipt commit();

    /** Discards the delivery; nothing is stored. Idempotent. */
    void abort();

    /** Aborts unless committed. */
    @Override
    void close();
}
