package dev.mailwright.smtp.policy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Remembers for a short time that a domain is ours, so that the relay check at RCPT does not
 * ask the store for every recipient of every message. Only "ours" is remembered: a domain
 * that was just added is seen at once, and one that was just removed is still taken for ours
 * for at most {@code ttl}, which cannot open a relay because delivery resolves the recipient
 * against the store itself and refuses what is not ours.
 */
public final class LocalDomainCache implements Predicate<String> {

    private static final int MAX_ENTRIES = 10_000;

    private final Predicate<String> isLocalDomain;
    private final Duration ttl;
    private final Clock clock;
    private final ConcurrentHashMap<String, Instant> ours = new ConcurrentHashMap<>();

    public LocalDomainCache(Predicate<String> isLocalDomain, Duration ttl, Clock clock) {
        this.isLocalDomain = isLocalDomain;
        this.ttl = ttl;
        this.clock = clock;
    }

    /** Whether {@link #test} answers true for {@code domain} from memory now. */
    public boolean remembers(String domain) {
        Instant until = ours.get(domain);
        return until != null && clock.instant().isBefore(until);
    }

    @Override
    public boolean test(String domain) {
        Instant now = clock.instant();
        Instant until = ours.get(domain);
        if (until != null && now.isBefore(until)) {
            return true;
        }
        if (!isLocalDomain.test(domain)) {
            ours.remove(domain);
            return false;
        }
        if (ours.size() >= MAX_ENTRIES) {
            ours.clear();
        }
        ours.put(domain, now.plus(ttl));
        return true;
    }
}
