package dev.mailwright.store;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
     * The stored content of several messages of the snapshot, each one whole, read together (in
     * one store round trip where the store can): for reading small messages ahead of a client
     * that downloads them one after the other. A message stored in more than one piece may be
     * left out of the result (the caller {@linkplain #open opens} it when it needs it), so ask
     * for small messages only: every octet returned is held in memory.
     *
     * @throws NotFoundException if a uid is not in the snapshot
     */
    default Map<Long, byte[]> readAll(List<Long> uids) {
        Map<Long, byte[]> contents = new HashMap<>();
        for (long uid : uids) {
            try (InputStream in = open(uid)) {
                contents.put(uid, in.readAllBytes());
            } catch (IOException e) {
                throw new StoreUnavailableException("could not read message " + uid, e);
            }
        }
        return contents;
    }

    /**
     * The header, the blank line after it and the first {@code bodyLines} lines of the body
     * (POP3 TOP), streamed. Lines are as stored; the caller normalises line ends.
     */
    InputStream openTop(long uid, int bodyLines);

    /** Extends the lease; {@link LeaseLostException} if it ran out and someone took the maildrop. */
    void renew();

    /**
     * Deletes {@code deleted} and marks {@code retrieved} as retrieved now (for EXPIRE, which
     * counts from a message's first retrieval: a message retrieved before keeps its mark), in
     * one transaction, if the lease is still ours; otherwise {@link LeaseLostException} and
     * nothing changes. The same transaction releases the lock: after a commit the maildrop is
     * closed.
     */
    void commit(Set<Long> deleted, Set<Long> retrieved);

    /** Releases the lock. Idempotent. */
    @Override
    void close();
}
