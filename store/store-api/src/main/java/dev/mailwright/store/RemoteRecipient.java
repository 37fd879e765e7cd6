package dev.mailwright.store;

import java.util.Optional;
import java.util.Set;

/**
 * A recipient outside our domains, queued for outbound delivery with its DSN parameters
 * (RFC 3461).
 *
 * @param address the recipient
 * @param notifyOn NOTIFY values ({@code NEVER}, or any of {@code SUCCESS FAILURE DELAY}); empty if not given
 * @param orcpt   ORCPT as given ({@code rfc822;addr}), if any
 */
public record RemoteRecipient(Address address, Set<String> notifyOn, Optional<String> orcpt) {

    public RemoteRecipient {
        notifyOn = Set.copyOf(notifyOn);
    }

    public static RemoteRecipient of(Address address) {
        return new RemoteRecipient(address, Set.of(), Optional.empty());
    }
}
