package dev.mailwright.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Cache;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link DnsLookup} with dnsjava, the one DNS client of Mailwright (mail authentication, outbound
 * MX/MTA-STS/TLS-RPT lookups, the admin {@code check}): the system's resolvers (resolv.conf) or a
 * given one, answers cached for their TTL in a bounded dnsjava {@link Cache} of this instance
 * (negative answers for the SOA's minimum, RFC 2308; temporary failures are not cached).
 */
public final class DnsjavaLookup implements DnsLookup {

    private final Supplier<Resolver> resolver;
    private final Cache cache;

    /**
     * The system's resolvers, each query given up after {@code timeout}. They are read on the first
     * query, not here: setting them up is a noticeable part of a short admin command that asks no DNS.
     */
    public DnsjavaLookup(Duration timeout) {
        this(new SystemResolver(timeout), 10_000);
    }

    /** Asks {@code resolver}, caching up to 10,000 names. */
    public DnsjavaLookup(Resolver resolver) {
        this(resolver, 10_000);
    }

    /** Asks {@code resolver}, caching up to {@code cacheEntries} names (0: every query goes to the resolver). */
    public DnsjavaLookup(Resolver resolver, int cacheEntries) {
        this(() -> resolver, cacheEntries);
    }

    private DnsjavaLookup(Supplier<Resolver> resolver, int cacheEntries) {
        if (cacheEntries < 0) {
            throw new IllegalArgumentException("cache entries " + cacheEntries);
        }
        this.resolver = resolver;
        this.cache = new Cache(DClass.IN);
        cache.setMaxEntries(cacheEntries);
    }

    /** The system's resolvers, read on the first {@link #get}. */
    private static final class SystemResolver implements Supplier<Resolver> {
        private final Duration timeout;
        private volatile Resolver resolver;

        SystemResolver(Duration timeout) {
            this.timeout = timeout;
        }

        @Override
        public Resolver get() {
            Resolver r = resolver;
            if (r == null) {
                synchronized (this) {
                    if (resolver == null) {
                        ExtendedResolver system = new ExtendedResolver();
                        system.setTimeout(timeout);
                        resolver = system;
                    }
                    r = resolver;
                }
            }
            return r;
        }
    }

    @Override
    public DnsAnswer<String> txt(String name) {
        return query(name, Type.TXT, r -> r instanceof TXTRecord t ? String.join("", t.getStrings()) : null);
    }

    @Override
    public DnsAnswer<InetAddress> a(String name) {
        return query(name, Type.A, r -> r instanceof ARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<InetAddress> aaaa(String name) {
        return query(name, Type.AAAA, r -> r instanceof AAAARecord a ? a.getAddress() : null);
    }

    @Override
    public DnsAnswer<MxRecord> mx(String name) {
        return query(name, Type.MX, r -> r instanceof MXRecord m ? new MxRecord(m.getPriority(), host(m.getTarget())) : null);
    }

    @Override
    public DnsAnswer<String> ptr(InetAddress address) {
        return query(ReverseMap.fromAddress(address), Type.PTR, r -> r instanceof PTRRecord p ? host(p.getTarget()) : null);
    }

    private <T> DnsAnswer<T> query(String name, int type, Function<Record, T> read) {
        Name n;
        try {
            n = Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            return DnsAnswer.nxDomain(); // no such name can exist (a label too long, an empty label)
        }
        return query(n, type, read);
    }

    private <T> DnsAnswer<T> query(Name name, int type, Function<Record, T> read) {
        Lookup lookup = new Lookup(name, type);
        lookup.setResolver(resolver.get());
        lookup.setCache(cache);
        lookup.setSearchPath((Name[]) null);
        Record[] records = lookup.run();
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL:
                List<T> out = new ArrayList<>();
                for (Record r : records) {
                    T t = read.apply(r);
                    if (t != null) {
                        out.add(t);
                    }
                }
                return DnsAnswer.found(out);
            case Lookup.HOST_NOT_FOUND:
                return DnsAnswer.nxDomain();
            case Lookup.TYPE_NOT_FOUND:
                return DnsAnswer.noData();
            default:
                return DnsAnswer.tempError(name + " " + Type.string(type) + ": " + lookup.getErrorString());
        }
    }

    private static String host(Name name) {
        String s = name.toString(true);
        return s.equals(".") ? "" : s;
    }
}
