package dev.mailwright.store.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.SenderGrant;
import dev.mailwright.store.Senders;
import java.util.List;
import java.util.Optional;

/**
 * The rule of {@link Senders#maySendAs}, shared by every store; a store supplies the directory
 * and one question about its grants.
 */
public final class SenderRule {

    /** Whether one of the grant keys (address or {@code @domain}) is granted to one of the grantee keys. */
    public interface Grants {
        boolean any(List<String> addressKeys, List<String> granteeKeys);
    }

    private SenderRule() {
    }

    public static boolean maySendAs(RecipientResolver.Directory directory, Grants grants, Address user, Address sender) {
        Optional<LocalRecipient> account = directory.account(user.key());
        if (account.isEmpty()) {
            return false;
        }
        Address base = sender.withoutTag(Recipients.SUBADDRESS_SEPARATOR);
        if (sender.key().equals(user.key()) || base.key().equals(user.key())) {
            return true;
        }
        List<String> addresses = base.equals(sender)
                ? List.of(sender.key(), "@" + sender.domainKey())
                : List.of(sender.key(), base.key(), "@" + sender.domainKey());
        if (grants.any(addresses, List.of(user.key(), "@" + user.domainKey()))) {
            return true;
        }
        long id = account.get().accountId();
        return directory.isLocalDomain(sender.domainKey())
                && RecipientResolver.resolve(withoutCatchAlls(directory), sender).local().stream()
                        .anyMatch(l -> l.accountId() == id);
    }

    /** The lookup key of a grant's address: an address key, or {@code @domain}. */
    public static String addressKey(String address) {
        if (address == null || address.isBlank()) {
            throw new InvalidInputException("malformed sender address: empty");
        }
        return address.startsWith("@") ? "@" + Address.parseDomain(address.substring(1)) : Address.parse(address).key();
    }

    /** A grant as stored, in lookup form. */
    public static SenderGrant grant(String address, String grantee) {
        return new SenderGrant(addressKey(address), addressKey(grantee));
    }

    /** The directory as resolution sees it, minus the catch-alls (keys {@code @domain}). */
    private static RecipientResolver.Directory withoutCatchAlls(RecipientResolver.Directory d) {
        return new RecipientResolver.Directory() {
            @Override
            public boolean isLocalDomain(String domain) {
                return d.isLocalDomain(domain);
            }

            @Override
            public Optional<LocalRecipient> account(String key) {
                return d.account(key);
            }

            @Override
            public List<Address> aliasTargets(String key) {
                return key.startsWith("@") ? List.of() : d.aliasTargets(key);
            }
        };
    }
}
