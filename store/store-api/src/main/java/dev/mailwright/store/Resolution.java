package dev.mailwright.store;

import java.util.List;

/**
 * Where mail for one envelope recipient goes: the local mailboxes and the remote addresses
 * it expands to. Empty when the address is in one of our domains but reaches no mailbox.
 *
 * @param localDomain whether the recipient's own domain is one of ours (an address outside them
 *                    resolves to itself as a remote recipient)
 */
public record Resolution(Address recipient, List<LocalRecipient> local, List<Address> remote, boolean localDomain) {

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
