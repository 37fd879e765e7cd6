package dev.mailwright.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Opens the POP3 view of a mailbox. */
public interface Maildrops {

    /**
     * Takes the exclusive lock on an account's maildrop for {@code lease}, across all server
     * processes sharing the store. A lock whose lease ran out may be taken over. Throws
     * {@link MaildropLockedException} while another holder's lease runs.
     *
     * @param holder a description of the holder for diagnostics (node, session id)
     */
    Maildrop open(long accountId, String holder, Duration lease);

    /**
     * Extends the leases of open maildrops (a node's heartbeat for its live sessions), in one
     * store round trip where the store can. Returns those whose lease ran out and was taken over
     * (or that were closed): they can no longer commit, and their sessions should end.
     */
    default Set<Maildrop> renewAll(Collection<Maildrop> open) {
        Set<Maildrop> lost = new HashSet<>();
        for (Maildrop m : open) {
            try {
                m.renew();
            } catch (LeaseLostException e) {
                lost.add(m);
            }
        }
        return lost;
    }

    /**
     * The maildrop locks whose lease runs now (the live POP3 sessions of every node), by address.
     */
    List<MaildropSession> sessions();

    /**
     * Takes an account's maildrop lock away from its holder (an administrator's {@code kick}): the
     * holder's next renewal or commit finds it lost, so its session ends without deleting anything.
     * Returns whether a lock was there.
     */
    boolean kick(long accountId);

    /**
     * Deletes messages of an account that were retrieved before {@code retrievedBefore}
     * (RFC 2449 EXPIRE); returns how many. Skips the account while its maildrop is locked.
     */
    int expire(long accountId, Instant retrievedBefore);
}
