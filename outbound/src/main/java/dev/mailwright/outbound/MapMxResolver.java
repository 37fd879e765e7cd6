package dev.mailwright.outbound;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An {@link MxResolver} over a table, for tests and for sites whose routes are fixed. Domains
 * not in the table fail temporarily (like a DNS server that does not answer). Thread-safe.
 */
public final class MapMxResolver implements MxResolver {

    private final Map<String, List<MxHost>> routes = new ConcurrentHashMap<>();
    private final Map<String, String> permanent = new ConcurrentHashMap<>();

    /** Adds hosts for a domain, after those it already has. */
    public MapMxResolver add(String domain, MxHost... hosts) {
        routes.merge(key(domain), List.of(hosts), (a, b) -> {
            List<MxHost> all = new ArrayList<>(a);
            all.addAll(b);
            return List.copyOf(all);
        });
        return this;
    }

    /** Adds a host on a port for a domain. */
    public MapMxResolver add(String domain, String host, int port) {
        return add(domain, new MxHost(host, port));
    }

    /** The domain publishes a null MX (RFC 7505). */
    public MapMxResolver nullMx(String domain) {
        permanent.put(key(domain), "domain " + key(domain) + " does not accept mail (null MX)");
        return this;
    }

    @Override
    public List<MxHost> resolve(String domain) {
        String k = key(domain);
        String failure = permanent.get(k);
        if (failure != null) {
            throw new PermanentFailure(failure);
        }
        List<MxHost> hosts = routes.get(k);
        if (hosts == null || hosts.isEmpty()) {
            throw new TemporaryFailure("no route to " + k);
        }
        return hosts;
    }

    private static String key(String domain) {
        return domain.toLowerCase(Locale.ROOT);
    }
}
