package dev.mailwright.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link TxtResolver} over a table, for tests: names not in it have no TXT records, names
 * marked {@link #failing} fail temporarily. Thread-safe.
 */
public final class MapTxtResolver implements TxtResolver {

    private final Map<String, List<String>> records = new ConcurrentHashMap<>();
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /** Adds a TXT record to a name. */
    public MapTxtResolver add(String name, String text) {
        records.merge(key(name), List.of(text), (a, b) -> {
            List<String> all = new ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        });
        return this;
    }

    /** Replaces the TXT records of a name. */
    public MapTxtResolver set(String name, String... texts) {
        records.put(key(name), List.of(texts));
        return this;
    }

    /** Removes the TXT records of a name. */
    public MapTxtResolver remove(String name) {
        records.remove(key(name));
        return this;
    }

    /** Lookups of this name fail as a DNS server that does not answer. */
    public MapTxtResolver failing(String name) {
        failing.add(key(name));
        return this;
    }

    @Override
    public List<String> txt(String name) {
        String k = key(name);
        if (failing.contains(k)) {
            throw new MxResolver.TemporaryFailure("DNS lookup of TXT " + k + " failed for now");
        }
        return records.getOrDefault(k, List.of());
    }

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
