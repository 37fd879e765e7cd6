package dev.mailwright.outbound;

import java.net.IDN;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * MX lookup with dnsjava (RFC 5321 5.1): hosts by preference, hosts of equal preference in
 * random order; a domain without MX records is its own mail host when it has an A or AAAA
 * record (the implicit MX); a null MX (RFC 7505: one MX record, preference 0, target ".") and
 * a domain that does not exist are permanent failures; a DNS server that does not answer is a
 * temporary one.
 */
public final class DnsMxResolver implements MxResolver {

    private final Resolver resolver;
    private final Random random;

    /** Uses the system's resolvers (resolv.conf). */
    public DnsMxResolver() {
        this(null, new Random());
    }

    /** @param resolver the DNS resolver, or null for dnsjava's default */
    public DnsMxResolver(Resolver resolver, Random random) {
        this.resolver = resolver;
        this.random = random;
    }

    @Override
    public List<MxHost> resolve(String domain) {
        Name name = name(domain);
        Lookup mx = lookup(name, Type.MX);
        Record[] records = mx.run();
        switch (mx.getResult()) {
            case Lookup.SUCCESSFUL:
                return order(domain, records);
            case Lookup.HOST_NOT_FOUND:
                throw new PermanentFailure("domain " + domain + " does not exist");
            case Lookup.TYPE_NOT_FOUND:
                return implicitMx(domain, name);
            case Lookup.TRY_AGAIN:
                throw new TemporaryFailure("DNS lookup of MX " + domain + " failed for now: " + mx.getErrorString());
            default:
                throw new TemporaryFailure("DNS lookup of MX " + domain + " failed: " + mx.getErrorString());
        }
    }

    private List<MxHost> order(String domain, Record[] records) {
        List<MXRecord> mxs = new ArrayList<>();
        for (Record r : records) {
            if (r instanceof MXRecord m) {
                mxs.add(m);
            }
        }
        if (mxs.isEmpty()) {
            throw new TemporaryFailure("DNS answer for MX " + domain + " had no MX records");
        }
        if (mxs.size() == 1 && mxs.get(0).getTarget().equals(Name.root)) {
            throw new PermanentFailure("domain " + domain + " does not accept mail (null MX, RFC 7505)");
        }
        TreeMap<Integer, List<MxHost>> byPreference = new TreeMap<>();
        for (MXRecord m : mxs) {
            if (m.getTarget().equals(Name.root)) {
                continue; // a null MX beside real ones is a misconfiguration; skip it
            }
            byPreference.computeIfAbsent(m.getPriority(), p -> new ArrayList<>()).add(MxHost.of(hostname(m.getTarget())));
        }
        List<MxHost> ordered = new ArrayList<>();
        for (List<MxHost> same : byPreference.values()) {
            Collections.shuffle(same, random);
            ordered.addAll(same);
        }
        return ordered;
    }

    private List<MxHost> implicitMx(String domain, Name name) {
        for (int type : new int[] {Type.A, Type.AAAA}) {
            Lookup l = lookup(name, type);
            l.run();
            if (l.getResult() == Lookup.SUCCESSFUL) {
                return List.of(MxHost.of(hostname(name)));
            }
            if (l.getResult() == Lookup.TRY_AGAIN) {
                throw new TemporaryFailure("DNS lookup of " + domain + " failed for now: " + l.getErrorString());
            }
        }
        throw new PermanentFailure("domain " + domain + " has neither MX nor address records");
    }

    private Lookup lookup(Name name, int type) {
        Lookup l = new Lookup(name, type);
        if (resolver != null) {
            l.setResolver(resolver);
        }
        return l;
    }

    static Name name(String domain) {
        try {
            return Name.fromString(IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED) + ".");
        } catch (TextParseException | IllegalArgumentException e) {
            throw new PermanentFailure("malformed domain " + domain);
        }
    }

    private static String hostname(Name name) {
        return name.toString(true);
    }

}
