package dev.mailwright.outbound;

import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import java.util.List;

/**
 * TXT lookup through the one {@link DnsLookup}: the strings of each record joined (as MTA-STS and
 * TLS-RPT records are read); a name or type that does not exist gives no records; a DNS server that
 * does not answer is a temporary failure.
 */
public final class DnsTxtResolver implements TxtResolver {

    private final DnsLookup dns;

    public DnsTxtResolver(DnsLookup dns) {
        this.dns = dns;
    }

    @Override
    public List<String> txt(String name) {
        String ascii;
        try {
            ascii = DnsMxResolver.name(name);
        } catch (MxResolver.PermanentFailure e) {
            return List.of();
        }
        DnsAnswer<String> answer = dns.txt(ascii);
        if (answer.failed()) {
            throw new MxResolver.TemporaryFailure("DNS lookup of TXT " + name + " failed: " + answer.error());
        }
        return answer.records();
    }
}
