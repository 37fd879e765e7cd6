package dev.mailwright.store;

import java.util.List;
import java.util.Optional;

/** Forwarding rules and catch-alls. */
public interface Aliases {

    /**
     * Adds targets to an alias, creating it when new. {@code source} is an address in one of
     * our domains, or {@code @domain} for the domain's catch-all. Targets may be local or remote.
     */
    Alias add(String source, List<Address> targets);

    /** Removes one target, or the whole alias when {@code target} is empty. */
    void remove(String source, Optional<Address> target);

    /** Aliases of one domain, or all when empty, ordered by source. */
    List<Alias> list(Optional<String> domain);
}
