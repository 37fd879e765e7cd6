package dev.mailwright.store;

import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * A locked maildrop. The message list is fixed when it is opened; mail that arrives later
 * shows in the next session. Reads go straight to the store in bounded chunks.
 * Closing releases the lock without changing anything.
 */
public interface Maildrop extends AutoCloseable {

    /** The messages as of opening, oldest first; POP3 message number n is element n-1. */
    List<MessageInfo> messages();

    /** The stored content of a message of the snapshot, streamed. */
    InputStream open(long uid);

    /**
     * The header, the blank line after it and the first {@code bodyLines} lines of the body
     * (POP3 TOP), streamed. Lines are as stored; the caller normalises line ends.
     */
    InputStream openTop(long uid, int bodyLines);

    /** Extends the lease; {@link LeaseLostException} if it ran out and someone took the maildrop. */
    void renew();

    /**
     * Deletes {@code deleted} and marks {@code retrieved} as retrieved now (for EXPIRE), in one
     * transaction, if the lease is still ours; otherwise {@link LeaseLostException} and nothing changes.
     */
    void commit(Set<Long> deleted, Set<Long> retrieved);

    /** Releases the lock. Idempotent. */
    @Override
    void close();
}
