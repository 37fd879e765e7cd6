package dev.mailwright.store;

/**
 * Recipient resolution: an envelope address to the mailboxes it reaches.
 *
 * <p>Order, for an address in one of our domains: an alias for the exact address; an
 * account; the same two for the address without its sub-address tag ({@code user+tag});
 * the domain's catch-all. Alias targets are expanded in turn (an alias may point to
 * another alias); an address met twice on one path, or a path deeper than
 * {@link #MAX_DEPTH}, ends there, so loops deliver once instead of forever. An address
 * outside our domains resolves to itself as a remote recipient.
 */
public interface Recipients {

    int MAX_DEPTH = 10;

    char SUBADDRESS_SEPARATOR = '+';

    Resolution resolve(Address recipient);

    /** Whether mail to this domain is ours to deliver. */
    boolean isLocalDomain(String domain);
}
