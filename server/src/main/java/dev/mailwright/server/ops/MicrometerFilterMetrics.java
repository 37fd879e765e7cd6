package dev.mailwright.server.ops;

import dev.mailwright.filter.FilterMetrics;
import dev.mailwright.store.Greylist;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The abuse controls of ADR 0031 as Micrometer meters: {@code mailwright_filter_checks_total{filter,action}}
 * and {@code mailwright_filter_seconds{filter}} for each message a content filter checked,
 * {@code mailwright_filter_failures_total{filter,reason}} when it could not answer,
 * {@code mailwright_greylist_total{outcome}} per greylisting decision, and
 * {@code mailwright_sending_limit_hits_total{limit}} each time an account hits a sending limit.
 */
public final class MicrometerFilterMetrics implements FilterMetrics {

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerFilterMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(name + "\0" + String.join("\0", tags), k -> registry.counter(name, tags));
    }

    private Timer timer(String filter) {
        return timers.computeIfAbsent(filter, f -> Timer.builder("mailwright.filter").tag("filter", f)
                .description("time a content filter took to answer").register(registry));
    }

    @Override
    public void checked(String filter, String action, double score, Duration took) {
        counter("mailwright.filter.checks", "filter", filter, "action", action.replace(' ', '_')).increment();
        timer(filter).record(took);
    }

    @Override
    public void failed(String filter, String reason, Duration took) {
        counter("mailwright.filter.failures", "filter", filter, "reason", reason).increment();
        timer(filter).record(took);
    }

    /** A greylisting decision at RCPT. */
    public void greylisted(Greylist.Outcome outcome) {
        counter("mailwright.greylist", "outcome", outcome.name().toLowerCase(Locale.ROOT)).increment();
    }

    /** An account hit a sending limit ({@code messages} or {@code recipients}). */
    public void sendingLimitReached(String limit) {
        counter("mailwright.sending.limit.hits", "limit", limit).increment();
    }
}
