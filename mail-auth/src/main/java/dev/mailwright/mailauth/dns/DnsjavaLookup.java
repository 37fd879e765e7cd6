package dev.mailwright.mailauth.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
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
 * {@link DnsLookup} with dnsjava: the system's resolvers (resolv.conf) or given ones, answers
 * cached for their TTL in a bounded dnsjava {@link Cache} of this instance.
 */
public final class DnsjavaLookup implements DnsLookup {

    private final Resolver resolver;
    private final Cache cache;

    /** The system's resolvers, each query given up after {@code timeout}. */
    public DnsjavaLookup(Duration timeout) {
        this(systemResolver(timeout));
    }

    public DnsjavaLookup(Resolver resolver) {
        this.resolver = resolver;
        this.cache = new Cache(DClass.IN);
        cache.setMaxEntries(10_000);
    }

    private static Resolver systemResolver(Duration timeout) {
        ExtendedResolver r = new ExtendedResolver();
        r.setTimeout(timeout);
        return r;
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
        lookup.setResolver(resolver);
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
