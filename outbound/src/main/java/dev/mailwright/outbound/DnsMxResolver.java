package dev.mailwright.outbound;

import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import java.net.IDN;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * MX lookup (RFC 5321 5.1) through the one {@link DnsLookup}: hosts by preference, hosts of equal
 * preference in random order; a domain without MX records is its own mail host when it has an A
 * or AAAA record (the implicit MX); a null MX (RFC 7505: one MX record, preference 0, target ".")
 * and a domain that does not exist are permanent failures; a DNS server that does not answer is a
 * temporary one.
 */
public final class DnsMxResolver implements MxResolver {

    private final DnsLookup dns;
    private final Random random;

    public DnsMxResolver(DnsLookup dns) {
        this(dns, new Random());
    }

    public DnsMxResolver(DnsLookup dns, Random random) {
        this.dns = dns;
        this.random = random;
    }

    @Override
    public List<MxHost> resolve(String domain) {
        String name = name(domain);
        DnsAnswer<DnsLookup.MxRecord> mx = dns.mx(name);
        return switch (mx.status()) {
            case FOUND -> order(domain, mx.records());
            case NX_DOMAIN -> throw new PermanentFailure("domain " + domain + " does not exist");
            case NO_DATA -> implicitMx(domain, name);
            case TEMP_ERROR -> throw new TemporaryFailure("DNS lookup of MX " + domain + " failed for now: " + mx.error());
        };
    }

    private List<MxHost> order(String domain, List<DnsLookup.MxRecord> mxs) {
        if (mxs.size() == 1 && mxs.get(0).host().isEmpty()) {
            throw new PermanentFailure("domain " + domain + " does not accept mail (null MX, RFC 7505)");
        }
        TreeMap<Integer, List<MxHost>> byPreference = new TreeMap<>();
        for (DnsLookup.MxRecord m : mxs) {
            if (m.host().isEmpty()) {
                continue; // a null MX beside real ones is a misconfiguration; skip it
            }
            byPreference.computeIfAbsent(m.preference(), p -> new ArrayList<>()).add(MxHost.of(m.host()));
        }
        List<MxHost> ordered = new ArrayList<>();
        for (List<MxHost> same : byPreference.values()) {
            Collections.shuffle(same, random);
            ordered.addAll(same);
        }
        return ordered;
    }

    private List<MxHost> implicitMx(String domain, String name) {
        for (DnsAnswer<?> address : List.of(dns.a(name), dns.aaaa(name))) {
            if (address.found()) {
                return List.of(MxHost.of(name));
            }
            if (address.failed()) {
                throw new TemporaryFailure("DNS lookup of " + domain + " failed for now: " + address.error());
            }
        }
        throw new PermanentFailure("domain " + domain + " has neither MX nor address records");
    }

    /** The domain as DNS asks for it: A-labels, no final dot. */
    static String name(String domain) {
        try {
            String ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
            if (ascii.isEmpty() || ascii.endsWith(".")) {
                throw new PermanentFailure("malformed domain " + domain);
            }
            return ascii;
        } catch (IllegalArgumentException e) {
            throw new PermanentFailure("malformed domain " + domain);
        }
    }
}
