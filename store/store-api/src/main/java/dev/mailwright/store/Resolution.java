package dev.mailwright.store;

import java.util.List;

/**
 * Where mail for one envelope recipient goes: the local mailboxes and the remote addresses
 * it expands to. Empty when the address is in one of our domains but reaches no mailbox.
 */
public record Resolution(Address recipient, List<LocalRecipient> local, List<Address> remote) {

    public Resolution {
        local = List.copyOf(local);
        remote = List.copyOf(remote);
    }

    public boolean isEmpty() {
        return local.isEmpty() && remote.isEmpty();
    }

    /** A local mailbox that a recipient resolved to. */
    public record LocalRecipient(long accountId, Address mailbox) {
    }
}
