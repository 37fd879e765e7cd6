package dev.mailwright.store;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An administrator's view of a mailbox (the admin CLI's {@code mailbox}, {@code import} and
 * {@code export} commands): reading never takes the POP3 maildrop lock, so it works while a client is
 * logged in; deleting refuses while the maildrop is locked, so a POP3 session never sees a
 * message of its snapshot vanish.
 */
public interface Mailboxes {

    /** The messages of an account's mailbox now, oldest first; {@link NotFoundException} for an unknown account. */
    List<MessageInfo> list(long accountId);

    /**
     * A page of {@link #list(long)}: at most {@code limit} messages after skipping the {@code offset}
     * oldest, read without reading the others (a mailbox of 100,000 messages answers as fast as a
     * small one). {@link NotFoundException} for an unknown account.
     */
    default List<MessageInfo> list(long accountId, long offset, int limit) {
        if (offset < 0 || limit < 0) {
            throw new InvalidInputException("offset and limit must not be negative");
        }
        List<MessageInfo> all = list(accountId);
        return all.subList((int) Math.min(offset, all.size()), (int) Math.min(offset + limit, all.size()));
    }

    /** The stored content of one message, streamed; {@link NotFoundException} if it is not in the mailbox. */
    InputStream open(long accountId, long uid);

    /**
     * Deletes the given messages in one transaction and updates the usage counters; UIDs not
     * in the mailbox are ignored. Returns how many were deleted. Throws
     * {@link MaildropLockedException}, deleting nothing, while a POP3 session holds the maildrop.
     */
    int delete(long accountId, Set<Long> uids);

    /**
     * Starts an import into an account's mailbox ({@code import mbox|maildir}): all its messages
     * are stored in one transaction or none is. {@link NotFoundException} for an unknown account.
     */
    MailboxImport beginImport(long accountId);

    /**
     * The SHA-256 (lower-case hex) of the stored content of each message that has one recorded,
     * by UID: every message a {@link MailboxImport} stored (deliveries record none). What a
     * re-run import recognises a message by when its UIDL changed. {@link NotFoundException}
     * for an unknown account.
     */
    Map<Long, String> contentDigests(long accountId);
}
