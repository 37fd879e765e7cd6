package dev.mailwright.server.ops;

import dev.mailwright.outbound.OutboundMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The outbound worker's events as Micrometer meters, exported as
 * {@code mailwright_outbound_attempts_total{result=delivered|deferred|bounced}} (per recipient),
 * {@code mailwright_outbound_delivery_latency_seconds} (from queueing to delivery),
 * {@code mailwright_outbound_dsns_total{action=failed|delayed|relayed}},
 * {@code mailwright_outbound_dsns_dropped_total{reason=over_sender|over_sender_domain|over_total|bad_srs}}
 * (DSNs not sent, ADR 0027), {@code mailwright_outbound_connections_total{tls=true|false}} (connections set up to remote
 * hosts) and {@code mailwright_outbound_connections_reused_total}. The fixed meters are registered
 * at once, so they show (at zero) before the first delivery.
 */
public final class MicrometerOutboundMetrics implements OutboundMetrics {

    private final MeterRegistry registry;
    private final Map<Result, Counter> attempts = new EnumMap<>(Result.class);
    private final Map<String, Counter> dsns = new ConcurrentHashMap<>();
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final Timer latency;
    private final Counter tls;
    private final Counter plain;
    private final Counter reused;

    public MicrometerOutboundMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (Result r : Result.values()) {
            attempts.put(r, Counter.builder("mailwright.outbound.attempts").tag("result", r.tag())
                    .description("delivery attempts per recipient, by result").register(registry));
        }
        latency = Timer.builder("mailwright.outbound.delivery.latency")
                .description("time from queueing to delivery, per recipient").register(registry);
        tls = connections("true");
        plain = connections("false");
        reused = Counter.builder("mailwright.outbound.connections.reused")
                .description("connections used again for another message").register(registry);
        for (String action : new String[] {"failed", "delayed", "relayed"}) {
            dsn(action);
        }
        for (String reason : new String[] {"over_sender", "over_sender_domain", "over_total", "bad_srs"}) {
            dropped(reason);
        }
    }

    private Counter dropped(String reason) {
        return dropped.computeIfAbsent(reason, r -> Counter.builder("mailwright.outbound.dsns.dropped").tag("reason", r)
                .description("delivery status notifications not sent (bounce limits, bad SRS addresses)")
                .register(registry));
    }

    private Counter connections(String tlsUsed) {
        return Counter.builder("mailwright.outbound.connections").tag("tls", tlsUsed)
                .description("connections set up to remote hosts, by whether TLS was used").register(registry);
    }

    private Counter dsn(String action) {
        return dsns.computeIfAbsent(action, a -> Counter.builder("mailwright.outbound.dsns").tag("action", a)
                .description("delivery status notifications stored for senders").register(registry));
    }

    @Override
    public void attempt(Result result) {
        attempts.get(result).increment();
    }

    @Override
    public void delivered(Duration latency) {
        this.latency.record(latency.isNegative() ? Duration.ZERO : latency);
    }

    @Override
    public void dsnSent(String action) {
        dsn(action).increment();
    }

    @Override
    public void dsnDropped(String reason) {
        dropped(reason).increment();
    }

    @Override
    public void connected(boolean tls) {
        (tls ? this.tls : plain).increment();
    }

    @Override
    public void connectionReused() {
        reused.increment();
    }
}
