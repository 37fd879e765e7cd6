package dev.mailwright.store;

import java.time.Instant;

/**
 * One message of a maildrop snapshot.
 *
 * @param uid       the mailbox-unique number assigned at delivery, increasing, never reused
 * @param uidl      the POP3 unique id listing (RFC 1939 UIDL), unique in the mailbox and never reused
 * @param size      exact octets as POP3 sends the message: CRLF line ends, a final CRLF, before dot-stuffing
 * @param received  when it was delivered
 */
public record MessageInfo(long uid, String uidl, long size, Instant received) {
}
