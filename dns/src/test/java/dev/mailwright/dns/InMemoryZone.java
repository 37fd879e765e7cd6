package dev.mailwright.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.xbill.DNS.ReverseMap;

/**
 * A fake of the internet's DNS for tests, which cannot reach it: records added by name and type,
 * CNAMEs followed (a loop is a temporary failure, as a resolver's SERVFAIL), and names or single
 * types that time out. A name with no record of any type does not exist (NXDOMAIN); a name with
 * records of other types only has no data. Thread-safe for reading once filled; counts queries.
 */
public final class InMemoryZone implements DnsLookup {

    private final Map<String, Map<String, List<Object>>> names = new HashMap<>();
    private final Set<String> timeouts = new HashSet<>();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean unanswered;

    private static String key(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    private InMemoryZone add(String name, String type, Object value) {
        names.computeIfAbsent(key(name), k -> new HashMap<>()).computeIfAbsent(type, t -> new ArrayList<>()).add(value);
        return this;
    }

    /** A TXT record made of these character-strings. */
    public InMemoryZone txt(String name, String... strings) {
        return add(name, "TXT", String.join("", strings));
    }

    public InMemoryZone a(String name, String address) {
        return add(name, "A", parse(address));
    }

    public InMemoryZone aaaa(String name, String address) {
        return add(name, "AAAA", parse(address));
    }

    public InMemoryZone mx(String name, int preference, String host) {
        return add(name, "MX", new MxRecord(preference, key(host)));
    }

    public InMemoryZone ptr(String address, String host) {
        return add(key(ReverseMap.fromAddress(parse(address)).toString()), "PTR", key(host));
    }

    public InMemoryZone cname(String name, String target) {
        return add(name, "CNAME", key(target));
    }

    /** The name exists, with no records of these types (it keeps an empty record set so it is not NXDOMAIN). */
    public InMemoryZone exists(String name) {
        names.computeIfAbsent(key(name), k -> new HashMap<>());
        return this;
    }

    /** Every query for this name times out. */
    public InMemoryZone timeout(String name) {
        timeouts.add(key(name));
        return exists(name);
    }

    /** Queries of this type for this name time out. */
    public InMemoryZone timeout(String name, String type) {
        timeouts.add(key(name) + "/" + type);
        return exists(name);
    }

    /** Forgets the records of this type for this name (a test that changes what is published). */
    public InMemoryZone remove(String name, String type) {
        Map<String, List<Object>> records = names.get(key(name));
        if (records != null) {
            records.remove(type);
        }
        return this;
    }

    /** Every query times out from now on, as when no resolver answers (no network). */
    public InMemoryZone unanswered() {
        unanswered = true;
        return this;
    }

    /** This zone answering each query only after {@code nanos}, as a resolver that takes its time (tests of budgets, benchmarks). */
    public DnsLookup delayed(long nanos) {
        InMemoryZone zone = this;
        return new DnsLookup() {
            private <T> DnsAnswer<T> later(DnsAnswer<T> answer) {
                java.util.concurrent.locks.LockSupport.parkNanos(nanos);
                return answer;
            }

            @Override
            public DnsAnswer<String> txt(String name) {
                return later(zone.txt(name));
            }

            @Override
            public DnsAnswer<InetAddress> a(String name) {
                return later(zone.a(name));
            }

            @Override
            public DnsAnswer<InetAddress> aaaa(String name) {
                return later(zone.aaaa(name));
            }

            @Override
            public DnsAnswer<MxRecord> mx(String name) {
                return later(zone.mx(name));
            }

            @Override
            public DnsAnswer<String> ptr(InetAddress address) {
                return later(zone.ptr(address));
            }
        };
    }

    /** Queries answered so far. */
    public int queries() {
        return queries.get();
    }

    private static InetAddress parse(String address) {
        try {
            return InetAddress.getByName(address); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return query(name, "TXT", o -> (String) o);
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return query(name, "A", o -> (InetAddress) o);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return query(name, "AAAA", o -> (InetAddress) o);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return query(name, "MX", o -> (MxRecord) o);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return query(ReverseMap.fromAddress(address).toString(), "PTR", o -> (String) o);
    }

    private <T> DnsAnswer<T> query(String name, String type, Function<Object, T> cast) {
        queries.incrementAndGet();
        if (unanswered) {
            return DnsAnswer.tempError("timeout: no resolver answers " + name + " " + type);
        }
        String n = key(name);
        for (int hops = 0; hops < 8; hops++) {
            for (String label : n.split("\\.", -1)) {
                if (label.length() > 63 || label.isEmpty() && !n.isEmpty()) {
                    return DnsAnswer.nxDomain(); // not a name a resolver would ask for
                }
            }
            if (timeouts.contains(n) || timeouts.contains(n + "/" + type)) {
                return DnsAnswer.tempError("timeout: " + n + " " + type);
            }
            Map<String, List<Object>> records = names.get(n);
            if (records == null) {
                return DnsAnswer.nxDomain();
            }
            List<Object> found = records.get(type);
            if (found != null && !found.isEmpty()) {
                List<T> out = new ArrayList<>();
                found.forEach(o -> out.add(cast.apply(o)));
                return DnsAnswer.found(out);
            }
            List<Object> cname = records.get("CNAME");
            if (cname == null || cname.isEmpty()) {
                return DnsAnswer.noData();
            }
            n = (String) cname.get(0);
        }
        return DnsAnswer.tempError("CNAME loop at " + name);
    }
}
