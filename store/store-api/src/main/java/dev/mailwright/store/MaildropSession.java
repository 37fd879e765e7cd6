package dev.mailwright.store;

import java.time.Instant;
import java.util.Optional;

/**
 * A live maildrop lock: who holds an account's maildrop now (a POP3 session, on some server node).
 *
 * @param accountId the account
 * @param address   its address
 * @param holder    what the holder calls itself (for POP3, {@code host/session id})
 * @param node      the server node whose heartbeat keeps the lease, if the holder has one
 * @param since     when the holder took the lock, if the store knows
 * @param until     when the lease runs out unless renewed
 */
public record MaildropSession(long accountId, Address address, String holder, Optional<String> node,
                              Optional<Instant> since, Instant until) {
}
