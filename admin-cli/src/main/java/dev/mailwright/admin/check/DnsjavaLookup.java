package dev.mailwright.admin.check;

import dev.mailwright.admin.DnsLookup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** {@link DnsLookup} over dnsjava: the system's resolvers, a short timeout, no cache between commands. */
public final class DnsjavaLookup implements DnsLookup {

    private final Resolver resolver;

    /** The system's resolvers with a timeout of a few seconds. */
    public DnsjavaLookup() {
        this(null, Duration.ofSeconds(3));
    }

    /** A given resolver (tests: an address where nothing answers). */
    public DnsjavaLookup(Resolver resolver, Duration timeout) {
        Resolver r = resolver != null ? resolver : new ExtendedResolver();
        r.setTimeout(timeout);
        this.resolver = r;
    }

    @Override
    public List<Mx> mx(String domain) throws DnsUnavailableException {
        List<Mx> out = new ArrayList<>();
        for (Record r : query(domain, Type.MX)) {
            MXRecord mx = (MXRecord) r;
            out.add(new Mx(mx.getPriority(), mx.getTarget().toString(true)));
        }
        out.sort(Comparator.comparingInt(Mx::preference).thenComparing(Mx::host));
        return out;
    }

    @Override
    public List<String> txt(String name) throws DnsUnavailableException {
        List<String> out = new ArrayList<>();
        for (Record r : query(name, Type.TXT)) {
            out.add(String.join("", ((TXTRecord) r).getStrings()));
        }
        return out;
    }

    private List<Record> query(String name, int type) throws DnsUnavailableException {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name, Name.root), type);
        } catch (TextParseException e) {
            throw new DnsUnavailableException("not a DNS name: " + name);
        }
        lookup.setResolver(resolver);
        lookup.setCache(null);
        Record[] answers = lookup.run();
        return switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL -> answers == null ? List.of() : List.of(answers);
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> List.of();
            default -> throw new DnsUnavailableException(lookup.getErrorString());
        };
    }
}
