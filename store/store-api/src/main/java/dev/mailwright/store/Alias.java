package dev.mailwright.store;

import java.util.List;

/**
 * A forwarding rule: mail to {@code source} goes to each of {@code targets} (local or remote).
 * A catch-all has a source of the form {@code @domain} and takes mail for every address of the
 * domain that matches no account and no other alias.
 */
public record Alias(String source, List<Address> targets) {

    public Alias {
        targets = List.copyOf(targets);
    }

    public boolean isCatchAll() {
        return source.startsWith("@");
    }
}
