package dev.mailwright.store.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.Resolution.LocalRecipient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The resolution algorithm of {@link Recipients}, shared by every store; a store supplies
 * the three lookups.
 */
public final class RecipientResolver {

    /** What resolution needs to know. Keys are {@link Address#key()} or {@code @domain}; domains are {@link Address#domainKey()}s. */
    public interface Directory {
        boolean isLocalDomain(String domain);

        Optional<LocalRecipient> account(String key);

        List<Address> aliasTargets(String key);
    }

    private RecipientResolver() {
    }

    public static Resolution resolve(Directory directory, Address recipient) {
        Map<Long, LocalRecipient> local = new LinkedHashMap<>();
        Set<Address> remote = new LinkedHashSet<>();
        Set<String> remoteKeys = new HashSet<>();
        boolean localDomain = directory.isLocalDomain(recipient.domainKey());
        expand(directory, recipient, 0, new HashSet<>(), local, remote, remoteKeys);
        return new Resolution(recipient, new ArrayList<>(local.values()), new ArrayList<>(remote), localDomain);
    }

    private static void expand(Directory dir, Address addr, int depth, Set<String> path,
                               Map<Long, LocalRecipient> local, Set<Address> remote, Set<String> remoteKeys) {
        if (!dir.isLocalDomain(addr.domainKey())) {
            if (remoteKeys.add(addr.key())) {
                remote.add(addr);
            }
            return;
        }
        String key = addr.key();
        if (depth > Recipients.MAX_DEPTH || path.contains(key)) {
            // a loop or a chain too long: deliver to the account if there is one, and stop
            dir.account(key).ifPresent(r -> local.putIfAbsent(r.accountId(), r));
            return;
        }
        Set<String> here = new HashSet<>(path);
        here.add(key);
        if (expandDirect(dir, addr, depth, here, local, remote, remoteKeys)) {
            return;
        }
        Address base = addr.withoutTag(Recipients.SUBADDRESS_SEPARATOR);
        if (!base.equals(addr) && !here.contains(base.key())) {
            Set<String> withBase = new HashSet<>(here);
            withBase.add(base.key());
            if (expandDirect(dir, base, depth, withBase, local, remote, remoteKeys)) {
                return;
            }
        }
        String catchAll = "@" + addr.domainKey();
        if (here.contains(catchAll)) {
            return;
        }
        List<Address> targets = dir.aliasTargets(catchAll);
        if (!targets.isEmpty()) {
            here.add(catchAll);
            for (Address t : targets) {
                expand(dir, t, depth + 1, here, local, remote, remoteKeys);
            }
        }
    }

    /** The exact alias, else the exact account; true if either matched. */
    private static boolean expandDirect(Directory dir, Address addr, int depth, Set<String> path,
                                        Map<Long, LocalRecipient> local, Set<Address> remote, Set<String> remoteKeys) {
        List<Address> targets = dir.aliasTargets(addr.key());
        if (!targets.isEmpty()) {
            for (Address t : targets) {
                if (t.key().equals(addr.key())) {
                    // an alias that keeps a copy for its own mailbox
                    dir.account(t.key()).ifPresent(r -> local.putIfAbsent(r.accountId(), r));
                } else {
                    expand(dir, t, depth + 1, path, local, remote, remoteKeys);
                }
            }
            return true;
        }
        Optional<LocalRecipient> account = dir.account(addr.key());
        account.ifPresent(r -> local.putIfAbsent(r.accountId(), r));
        return account.isPresent();
    }
}
