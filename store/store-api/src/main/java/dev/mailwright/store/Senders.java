package dev.mailwright.store;

import java.util.List;
import java.util.Optional;

/**
 * Which sender addresses an authenticated user may use (issue 22, ADR 0026). A user may send as
 * its own address (with or without a sub-address tag), as an alias that delivers to its mailbox
 * (a catch-all does not count: it would make every address of a domain anyone's), and as what an
 * administrator granted to it or to every account of its domain.
 */
public interface Senders {

    /** Whether the account {@code user} may send as {@code sender}; false when {@code user} is no account. */
    boolean maySendAs(Address user, Address sender);

    /**
     * Grants {@code address} to {@code grantee} (see {@link SenderGrant}); granting twice is no
     * change. {@link NotFoundException} for an unknown account, {@link InvalidInputException} for
     * a malformed address or a {@code @domain} that is not one of ours.
     */
    SenderGrant grant(String address, String grantee);

    /** Withdraws a grant; {@link NotFoundException} if there is none. */
    void revoke(String address, String grantee);

    /** The grants to one grantee, or all when empty, ordered by grantee then address. */
    List<SenderGrant> list(Optional<String> grantee);
}
