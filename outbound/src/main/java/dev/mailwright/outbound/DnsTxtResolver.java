package dev.mailwright.outbound;

import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * TXT lookup with dnsjava: the strings of each record joined (RFC 7208 3.3 style, as MTA-STS and
 * TLS-RPT records are read); a name or type that does not exist gives no records; a DNS server
 * that does not answer is a temporary failure.
 */
public final class DnsTxtResolver implements TxtResolver {

    private final Resolver resolver;

    /** Uses the system's resolvers (resolv.conf). */
    public DnsTxtResolver() {
        this(null);
    }

    /** @param resolver the DNS resolver, or null for dnsjava's default */
    public DnsTxtResolver(Resolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public List<String> txt(String name) {
        Lookup l;
        try {
            l = new Lookup(DnsMxResolver.name(name), Type.TXT);
        } catch (MxResolver.PermanentFailure e) {
            return List.of();
        }
        if (resolver != null) {
            l.setResolver(resolver);
        }
        Record[] records = l.run();
        switch (l.getResult()) {
            case Lookup.SUCCESSFUL -> {
                List<String> texts = new ArrayList<>();
                for (Record r : records) {
                    if (r instanceof TXTRecord t) {
                        texts.add(String.join("", t.getStrings()));
                    }
                }
                return texts;
            }
            case Lookup.HOST_NOT_FOUND, Lookup.TYPE_NOT_FOUND -> {
                return List.of();
            }
            default -> throw new MxResolver.TemporaryFailure("DNS lookup of TXT " + name + " failed: " + l.getErrorString());
        }
    }
}
