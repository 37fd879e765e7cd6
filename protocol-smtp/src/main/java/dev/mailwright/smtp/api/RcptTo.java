package dev.mailwright.smtp.api;

import dev.mailwright.store.Address;
import java.util.Optional;
import java.util.Set;

/**
 * A parsed {@code RCPT TO} with its DSN parameters (RFC 3461).
 *
 * @param address  the recipient
 * @param notifyOn NOTIFY values ({@code NEVER}, or some of {@code SUCCESS FAILURE DELAY}); empty if not given
 * @param orcpt    ORCPT as {@code addr-type;address}, its address xtext-decoded, if any
 */
public record RcptTo(Address address, Set<String> notifyOn, Optional<String> orcpt) {

    public RcptTo {
        notifyOn = Set.copyOf(notifyOn);
    }

    public static RcptTo of(Address address) {
        return new RcptTo(address, Set.of(), Optional.empty());
    }
}
