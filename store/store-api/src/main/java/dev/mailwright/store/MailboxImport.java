package dev.mailwright.store;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Messages from another server going into one mailbox as one transaction:
 * {@code begin -> add, add, ... -> commit | abort}.
 *
 * <p>Each message's content is read from its stream when it is added and written to the store
 * in bounded chunks, so no message is held whole in memory; until the commit the import keeps
 * only a few numbers per message (its UIDL, size and date). Nothing is visible to anyone before
 * {@link #commit()}, which assigns the UIDs and updates the counters in one transaction. A
 * failed {@link #add}, a failed commit, or {@link #close()} without commit leaves the mailbox
 * exactly as it was. Not thread-safe: one import belongs to one caller.
 */
public interface MailboxImport extends AutoCloseable {

    /**
     * Adds one message received at {@code received}, keeping the UIDL the previous server gave
     * it (a new one is assigned when empty), reading {@code content} to its end without closing
     * it. Returns the stored size in octets.
     *
     * <p>Throws {@link QuotaExceededException} when the mailbox, with what this import already
     * added, cannot take the message; {@link AlreadyExistsException} when the UIDL is used in the
     * mailbox or earlier in this import; {@link InvalidInputException} for a malformed UIDL;
     * {@link java.io.UncheckedIOException} when {@code content} cannot be read. Any failure
     * aborts the whole import.
     */
    long add(Instant received, Optional<String> uidl, InputStream content);

    /**
     * Gives messages already in the mailbox new UIDLs ({@code uid -> UIDL}), as part of this
     * import: a re-run that finds a message it already stored, by content
     * ({@link Mailboxes#contentDigests}), under a UIDL the old server would now give differently.
     * Visible, like the added messages, only at {@link #commit()}. UIDLs may be exchanged between
     * the given messages. Throws {@link NotFoundException} for a UID not in the mailbox,
     * {@link InvalidInputException} for a malformed UIDL, {@link AlreadyExistsException} when a
     * new UIDL is that of a message that keeps its own, repeats, or was given earlier in this
     * import; any failure aborts the whole import. Call it before adding messages that take the
     * UIDLs it frees.
     */
    void remap(Map<Long, String> uidls);

    /**
     * Stores everything added, in one transaction; returns the new entries in the order they
     * were added. Throws {@link QuotaExceededException} if deliveries meanwhile filled the
     * mailbox, {@link NotFoundException} if the account is gone, {@link StoreUnavailableException};
     * in each case nothing is stored.
     */
    List<MessageInfo> commit();

    /** Discards everything added; nothing is stored. Idempotent. */
    void abort();

    /** Aborts unless committed. */
    @Override
    void close();
}
