package dev.mailwright.mailauth;

import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DNS blocklists (RFC 5782) at connect: the client's address is looked up in each zone in order;
 * listed (an A record in 127.0.0.0/8) means {@code 554 5.7.1} naming the zone, and the connection is
 * closed. A zone that does not answer lets the client through (logged). Answers are cached per
 * address for a while, in a bounded cache, so a busy client costs one lookup per zone per TTL.
 * For the MX listener only: clients of the submission ports authenticate instead.
 */
public final class Dnsbl implements SmtpPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(Dnsbl.class);

    private final DnsLookup dns;
    private final List<String> zones;
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final Map<InetAddress, Cached> cache;

    /** What the zones said about an address, and until when that is believed. */
    private record Cached(Optional<String> listedIn, Instant until) {
    }

    public Dnsbl(DnsLookup dns, List<String> zones, Duration ttl, int maxEntries, Clock clock) {
        this.dns = dns;
        this.zones = List.copyOf(zones);
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
        this.cache = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Cached> eldest) {
                return size() > Dnsbl.this.maxEntries;
            }
        };
    }

    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return stage == Stage.CONNECT && !zones.isEmpty();
    }

    @Override
    public PolicyResult connect(SessionInfo session) {
        if (zones.isEmpty() || session.authenticatedUser().isPresent()) {
            return PolicyResult.NO_OPINION;
        }
        InetAddress ip = session.clientAddress().getAddress();
        Optional<String> listed = listedIn(ip);
        if (listed.isPresent()) {
            LOG.info("smtp {} client {} listed in {}", session.sessionId(), ip.getHostAddress(), listed.get());
            return PolicyResult.reject(SmtpReply.of(554, "5.7.1", "Service unavailable; client host ["
                    + ip.getHostAddress() + "] blocked using " + listed.get()));
        }
        return PolicyResult.NO_OPINION;
    }

    /** The first zone that lists the address, if any. */
    public Optional<String> listedIn(InetAddress ip) {
        Instant now = clock.instant();
        synchronized (cache) {
            Cached c = cache.get(ip);
            if (c != null && c.until().isAfter(now)) {
                return c.listedIn();
            }
        }
        Optional<String> listed = Optional.empty();
        boolean answered = true;
        for (String zone : zones) {
            DnsAnswer<InetAddress> a = dns.a(reversed(ip) + "." + zone);
            if (a.failed()) {
                LOG.warn("DNSBL {} did not answer for {}: {}", zone, ip.getHostAddress(), a.error());
                answered = false;
                continue;
            }
            if (a.records().stream().anyMatch(r -> (r.getAddress()[0] & 0xff) == 127)) {
                listed = Optional.of(zone);
                break;
            }
        }
        if (answered || listed.isPresent()) {
            synchronized (cache) {
                cache.put(ip, new Cached(listed, now.plus(ttl)));
            }
        }
        return listed;
    }

    /** 192.0.2.1 -> 1.2.0.192; IPv6 as nibbles, least significant first (RFC 5782 2.4). */
    static String reversed(InetAddress ip) {
        byte[] b = ip.getAddress();
        StringBuilder sb = new StringBuilder();
        if (ip instanceof Inet4Address) {
            for (int i = 3; i >= 0; i--) {
                sb.append(b[i] & 0xff).append(i > 0 ? "." : "");
            }
            return sb.toString();
        }
        for (int i = b.length - 1; i >= 0; i--) {
            sb.append(Character.forDigit(b[i] & 0xf, 16)).append('.').append(Character.forDigit((b[i] >> 4) & 0xf, 16));
            if (i > 0) {
                sb.append('.');
            }
        }
        return sb.toString();
    }
}
