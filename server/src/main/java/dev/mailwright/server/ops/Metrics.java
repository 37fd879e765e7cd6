package dev.mailwright.server.ops;

import dev.mailwright.store.MailStore;
import dev.mailwright.store.StoreException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.time.Instant;

/** The server's Micrometer registry, with the JVM and process meters bound. */
public final class Metrics {

    private Metrics() {
    }

    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().commonTags("application", "mailwright");
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        return registry;
    }

    /**
     * Store gauges, read at each scrape: {@code mailwright_queue_depth} (outbound items in any
     * state) and {@code mailwright_queue_oldest_age_seconds}. A scrape while the database is away
     * reports NaN rather than failing.
     */
    public static void bindStore(MeterRegistry registry, MailStore store) {
        Gauge.builder("mailwright.queue.depth", store, s -> {
            try {
                return s.queue().size();
            } catch (StoreException e) {
                return Double.NaN;
            }
        }).description("outbound queue items (waiting, being delivered or held)").register(registry);
        Gauge.builder("mailwright.queue.oldest.age", store, s -> {
            try {
                return s.queue().oldestCreated()
                        .map(t -> Math.max(0, Duration.between(t, Instant.now()).toMillis()) / 1000.0).orElse(0.0);
            } catch (StoreException e) {
                return Double.NaN;
            }
        }).baseUnit("seconds").description("age of the oldest outbound queue item (0 when the queue is empty)")
                .register(registry);
    }
}
