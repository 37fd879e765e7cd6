package dev.mailwright.store;

import java.time.Duration;
import java.time.Instant;

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
     * Deletes messages of an account that were retrieved before {@code retrievedBefore}
     * (RFC 2449 EXPIRE); returns how many. Skips the account while its maildrop is locked.
     */
    int expire(long accountId, Instant retrievedBefore);
}
