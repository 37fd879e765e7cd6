package dev.mailwright.store.memory;

import dev.mailwright.store.TlsReports;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** TLS report counters in memory (the in-memory store's). Thread-safe by one lock. */
final class MemoryTlsReports implements TlsReports {

    /** A count without its number: what counts are added up by. */
    private record Key(LocalDate day, String policyDomain, String policyType, String policy, String resultType,
                       String receivingMx) {
        static Key of(Count c) {
            return new Key(c.day(), c.policyDomain(), c.policyType(), c.policy(), c.resultType(), c.receivingMx());
        }
    }

    private record Claim(LocalDate day, String domain) {
    }

    private final Map<Key, Long> counts = new LinkedHashMap<>();
    private final Set<Claim> claims = new HashSet<>();

    @Override
    public synchronized void add(Collection<Count> added) {
        for (Count c : added) {
            counts.merge(Key.of(c), c.sessions(), Long::sum);
        }
    }

    @Override
    public synchronized List<String> unreported(LocalDate day) {
        Set<String> domains = new TreeSet<>();
        for (Key k : counts.keySet()) {
            if (k.day().equals(day) && !claims.contains(new Claim(day, k.policyDomain()))) {
                domains.add(k.policyDomain());
            }
        }
        return List.copyOf(domains);
    }

    @Override
    public synchronized boolean claim(LocalDate day, String domain) {
        return claims.add(new Claim(day, domain));
    }

    @Override
    public synchronized List<Count> counts(LocalDate day, String domain) {
        return counts(day, domain, true);
    }

    @Override
    public synchronized List<Count> counts(LocalDate day) {
        List<Count> all = counts(day, null, false);
        all.sort(java.util.Comparator.comparing(Count::policyDomain));
        return all;
    }

    private List<Count> counts(LocalDate day, String domain, boolean oneDomain) {
        List<Count> out = new ArrayList<>();
        counts.forEach((k, n) -> {
            if (k.day().equals(day) && (!oneDomain || k.policyDomain().equals(domain))) {
                out.add(new Count(k.day(), k.policyDomain(), k.policyType(), k.policy(), k.resultType(),
                        k.receivingMx(), n));
            }
        });
        return out;
    }

    @Override
    public synchronized void purgeBefore(LocalDate day) {
        counts.keySet().removeIf(k -> k.day().isBefore(day));
        claims.removeIf(c -> c.day().isBefore(day));
    }
}
