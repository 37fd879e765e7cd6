package dev.mailwright.outbound.tlsrpt;

import dev.mailwright.store.TlsReports;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts TLS results in memory, per UTC day, recipient domain, policy, result type and MX, and
 * {@link #flush adds} them to the store's {@link TlsReports} now and then (the server: once a
 * minute and at shutdown), so that a report has every node's sessions without a database write
 * per connection (docs/adr/0032). At most {@link #MAX_KEYS} different counters wait between
 * flushes; results beyond that are dropped and logged.
 */
public final class TlsReportCounter implements TlsResults {

    private static final Logger LOG = LoggerFactory.getLogger(TlsReportCounter.class);

    /** How many different counters may wait for a flush. */
    public static final int MAX_KEYS = 100_000;

    private final Clock clock;
    /** Keys are counts of 0 sessions; values the sessions. */
    private final Map<TlsReports.Count, Long> pending = new ConcurrentHashMap<>();

    public TlsReportCounter(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void record(Result r) {
        LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        String policy = r.policy().map(p -> String.join("\n", p.lines()) + "\n").orElse("");
        TlsReports.Count key = new TlsReports.Count(day, r.policyDomain().toLowerCase(Locale.ROOT),
                r.policy().isPresent() ? "sts" : "no-policy-found", policy, r.failureType().orElse(""),
                r.receivingMx().map(m -> m.toLowerCase(Locale.ROOT)).orElse(""), 0);
        if (pending.size() >= MAX_KEYS && !pending.containsKey(key)) {
            LOG.warn("TLS report counters full ({}): result for {} not counted", MAX_KEYS, r.policyDomain());
            return;
        }
        pending.merge(key, 1L, Long::sum);
    }

    /** Adds what was counted since the last flush to {@code store}; kept for the next flush if that fails. */
    public void flush(TlsReports store) {
        List<TlsReports.Count> taken = new ArrayList<>();
        for (TlsReports.Count key : List.copyOf(pending.keySet())) {
            Long n = pending.remove(key);
            if (n != null && n > 0) {
                taken.add(key.withSessions(n));
            }
        }
        if (taken.isEmpty()) {
            return;
        }
        try {
            store.add(taken);
        } catch (RuntimeException e) {
            taken.forEach(c -> pending.merge(c.withSessions(0), c.sessions(), Long::sum));
            throw e;
        }
    }
}
