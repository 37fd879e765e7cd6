package dev.mailwright.outbound.internal;

import dev.mailwright.outbound.OutboundConfig.BounceLimits;
import dev.mailwright.store.Address;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Counts the DSNs this worker sends for mail from unauthenticated sources, in fixed windows: per
 * sender address, per sender domain and in all ({@link BounceLimits}); a DSN over any of the
 * three is not sent (ADR 0027). The counts are this node's own and held in memory, bounded by
 * {@link #MAX_KEYS} senders per window: past that every further sender counts as over its limit.
 */
public final class BounceLimiter {

    /** Senders and domains counted per window at most. */
    static final int MAX_KEYS = 10_000;

    private final BounceLimits limits;
    private final Map<String, Integer> counts = new HashMap<>();
    private Instant windowStart;
    private int total;

    public BounceLimiter(BounceLimits limits) {
        this.limits = limits;
    }

    /** What a DSN to {@code sender} at {@code now} is: allowed (and counted), or over which limit. */
    public synchronized Verdict admit(Address sender, Instant now) {
        if (windowStart == null || !now.isBefore(windowStart.plus(limits.window()))) {
            windowStart = now;
            counts.clear();
            total = 0;
        }
        String address = "a:" + sender.key();
        String domain = "d:" + sender.domainKey().toLowerCase(Locale.ROOT);
        if (total >= limits.total()) {
            return Verdict.OVER_TOTAL;
        }
        if (counts.getOrDefault(domain, 0) >= limits.perSenderDomain()) {
            return Verdict.OVER_SENDER_DOMAIN;
        }
        if (counts.getOrDefault(address, 0) >= limits.perSender()) {
            return Verdict.OVER_SENDER;
        }
        if (counts.size() + 2 > MAX_KEYS && !(counts.containsKey(address) && counts.containsKey(domain))) {
            return Verdict.OVER_TOTAL;
        }
        counts.merge(address, 1, Integer::sum);
        counts.merge(domain, 1, Integer::sum);
        total++;
        return Verdict.ALLOWED;
    }

    /** The answer of {@link #admit}. */
    public enum Verdict {
        ALLOWED, OVER_SENDER, OVER_SENDER_DOMAIN, OVER_TOTAL;

        /** For the log and the metric's reason tag. */
        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
