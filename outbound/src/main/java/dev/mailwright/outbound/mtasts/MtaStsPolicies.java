package dev.mailwright.outbound.mtasts;

import dev.mailwright.outbound.MxResolver;
import dev.mailwright.outbound.TxtResolver;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Policy discovery and the policy cache of RFC 8461 3 and 5.1: the {@code _mta-sts.<domain>}
 * TXT record says whether the domain has a policy and its id; a policy is fetched when none is
 * cached or the id changed, and kept until its {@code max_age} runs out. A cached policy that has
 * not expired is used when the TXT record is gone or cannot be looked up, and when a new policy
 * cannot be fetched (so an attacker who blocks DNS or HTTPS cannot turn enforcement off).
 *
 * <p>The cache is in this node's memory (docs/adr/0032): each node fetches a policy once per
 * {@code max_age} or id change; it holds at most {@link #MAX_DOMAINS} domains, the least
 * recently used leaving first. Thread-safe; two deliveries to one domain may fetch at once.
 */
public final class MtaStsPolicies {

    private static final Logger LOG = LoggerFactory.getLogger(MtaStsPolicies.class);

    /** How many domains' policies are kept. */
    public static final int MAX_DOMAINS = 10_000;

    private final TxtResolver dns;
    private final PolicyFetcher fetcher;
    private final Clock clock;
    private final Map<String, Cached> cache = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > MAX_DOMAINS;
        }
    };

    /** A policy as fetched, with its id and when it expires. */
    private record Cached(String id, MtaStsPolicy policy, Instant expires) {
    }

    /**
     * What discovery found for a domain: the policy to apply, if any, and the failure to report
     * (TLS-RPT {@code sts-policy-fetch-error} or {@code sts-policy-invalid}) when a published
     * policy could not be had.
     */
    public record Lookup(Optional<MtaStsPolicy> policy, Optional<Failure> failure) {
        static Lookup none() {
            return new Lookup(Optional.empty(), Optional.empty());
        }
    }

    /** Why a published policy could not be used. */
    public record Failure(Kind kind, String detail) {
        /** The RFC 8460 result types of policy discovery. */
        public enum Kind {
            FETCH_ERROR, INVALID
        }
    }

    public MtaStsPolicies(TxtResolver dns, PolicyFetcher fetcher, Clock clock) {
        this.dns = dns;
        this.fetcher = fetcher;
        this.clock = clock;
    }

    /** The policy in force for mail to {@code domain}; empty when it has none (or mode none). */
    public Optional<MtaStsPolicy> policy(String domain) {
        return lookup(domain).policy().filter(p -> p.mode() != MtaStsPolicy.Mode.NONE);
    }

    /** The policy for mail to {@code domain}, with the reason when a published one could not be had. */
    public Lookup lookup(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        Instant now = clock.instant();
        Optional<Cached> cached = cached(d, now);
        String id;
        try {
            id = recordId(d);
        } catch (MxResolver.TemporaryFailure e) {
            LOG.debug("MTA-STS TXT of {} not available: {}", d, e.getMessage());
            return cached.map(c -> new Lookup(Optional.of(c.policy()), Optional.empty())).orElse(Lookup.none());
        }
        if (id == null) {
            return cached.map(c -> new Lookup(Optional.of(c.policy()), Optional.empty())).orElse(Lookup.none());
        }
        if (cached.isPresent() && cached.get().id().equals(id)) {
            return new Lookup(Optional.of(cached.get().policy()), Optional.empty());
        }
        try {
            MtaStsPolicy p = fetcher.fetch(d);
            synchronized (cache) {
                cache.put(d, new Cached(id, p, now.plus(p.maxAge())));
            }
            LOG.info("MTA-STS policy of {} (id {}): mode {}, mx {}, max_age {} s", d, id, p.mode(), p.mx(),
                    p.maxAge().toSeconds());
            return new Lookup(Optional.of(p), Optional.empty());
        } catch (PolicyFetcher.FetchException e) {
            LOG.warn("{}", e.getMessage());
            return new Lookup(cached.map(Cached::policy), Optional.of(new Failure(Failure.Kind.FETCH_ERROR, e.getMessage())));
        } catch (MtaStsPolicy.InvalidPolicyException e) {
            LOG.warn("MTA-STS policy of {} is invalid: {}", d, e.getMessage());
            return new Lookup(cached.map(Cached::policy), Optional.of(new Failure(Failure.Kind.INVALID, e.getMessage())));
        }
    }

    private Optional<Cached> cached(String domain, Instant now) {
        synchronized (cache) {
            Cached c = cache.get(domain);
            if (c != null && !now.isBefore(c.expires())) {
                cache.remove(domain);
                return Optional.empty();
            }
            return Optional.ofNullable(c);
        }
    }

    /**
     * RFC 8461 3.1: the id of the one {@code v=STSv1} record at {@code _mta-sts.<domain>}; null
     * when there is none, several, or one without a valid id.
     */
    private String recordId(String domain) {
        List<String> sts = new ArrayList<>();
        for (String t : dns.txt("_mta-sts." + domain)) {
            if (t.startsWith("v=STSv1;") || t.equals("v=STSv1")) {
                sts.add(t);
            }
        }
        if (sts.size() != 1) {
            return null;
        }
        for (String field : sts.get(0).split(";")) {
            String f = field.trim();
            if (f.startsWith("id=")) {
                String id = f.substring(3).trim();
                return id.length() >= 1 && id.length() <= 32 && id.chars().allMatch(Character::isLetterOrDigit)
                        && id.chars().allMatch(c -> c < 0x7f) ? id : null;
            }
        }
        return null;
    }
}
