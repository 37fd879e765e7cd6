package dev.mailwright.store.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.Recipients;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one check, for every store, that a new alias does not close a loop ({@code a -> b -> a},
 * or longer): from each new target it follows aliases as resolution would (the exact address,
 * else the address without its sub-address tag) and fails if it comes back to the source. An
 * alias that names its own source keeps a copy in that mailbox and is no loop.
 */
public final class AliasLoops {

    private AliasLoops() {
    }

    /**
     * Throws {@link InvalidInputException} naming the loop if adding {@code targets} to the alias
     * {@code sourceKey} would close one.
     *
     * @param targetsOf the targets of the alias with a key, empty if there is none
     */
    public static void refuse(String sourceKey, List<Address> targets, Function<String, List<Address>> targetsOf) {
        Optional<List<String>> loop = find(sourceKey, targets, targetsOf);
        if (loop.isPresent()) {
            throw new InvalidInputException("alias loop: " + String.join(" -> ", loop.get()));
        }
    }

    /** The loop, from the source back to it, if adding {@code targets} to {@code sourceKey} would close one. */
    public static Optional<List<String>> find(String sourceKey, List<Address> targets, Function<String, List<Address>> targetsOf) {
        Set<String> seen = new HashSet<>();
        for (Address t : targets) {
            if (t.key().equals(sourceKey)) {
                continue;
            }
            List<String> path = new ArrayList<>(List.of(sourceKey));
            if (reaches(t, sourceKey, targetsOf, path, seen)) {
                return Optional.of(path);
            }
        }
        return Optional.empty();
    }

    private static boolean reaches(Address at, String sourceKey, Function<String, List<Address>> targetsOf,
                                   List<String> path, Set<String> seen) {
        String key = at.key();
        path.add(key);
        if (key.equals(sourceKey)) {
            return true;
        }
        if (seen.add(key)) {
            List<Address> next = targetsOf.apply(key);
            if (next.isEmpty()) {
                Address base = at.withoutTag(Recipients.SUBADDRESS_SEPARATOR);
                if (!base.equals(at)) {
                    next = targetsOf.apply(base.key());
                }
            }
            for (Address n : next) {
                if (!n.key().equals(key) && reaches(n, sourceKey, targetsOf, path, seen)) {
                    return true;
                }
            }
        }
        path.remove(path.size() - 1);
        return false;
    }
}
