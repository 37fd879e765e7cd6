package dev.mailwright.server.ops;

import dev.mailwright.protocol.metrics.ProtocolMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The protocol servers' events as Micrometer meters. Names follow Prometheus conventions once
 * exported: {@code mailwright_connections_total}, {@code mailwright_sessions_active},
 * {@code mailwright_commands_total{verb,result}}, {@code mailwright_auth_total{result}},
 * {@code mailwright_messages_accepted_total}, {@code mailwright_messages_rejected_total{reason}},
 * {@code mailwright_message_bytes}, {@code mailwright_delivery_seconds},
 * {@code mailwright_messages_retrieved_total}, {@code mailwright_store_errors_total}, each
 * tagged with {@code protocol}.
 */
public final class MicrometerProtocolMetrics implements ProtocolMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();

    public MicrometerProtocolMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void connectionOpened(String protocol) {
        registry.counter("mailwright.connections", "protocol", protocol).increment();
        sessions(protocol).incrementAndGet();
    }

    @Override
    public void connectionClosed(String protocol, Duration duration) {
        sessions(protocol).decrementAndGet();
        Timer.builder("mailwright.session.duration").tag("protocol", protocol).register(registry).record(duration);
    }

    private AtomicInteger sessions(String protocol) {
        return active.computeIfAbsent(protocol, p ->
                registry.gauge("mailwright.sessions.active", java.util.List.of(io.micrometer.core.instrument.Tag.of("protocol", p)),
                        new AtomicInteger()));
    }

    @Override
    public void command(String protocol, String verb, boolean ok) {
        registry.counter("mailwright.commands", "protocol", protocol, "verb", verb, "result", ok ? "ok" : "error")
                .increment();
    }

    @Override
    public void authentication(String protocol, boolean success) {
        registry.counter("mailwright.auth", "protocol", protocol, "result", success ? "success" : "failure").increment();
    }

    @Override
    public void messageAccepted(String protocol, long bytes, int recipients, Duration commit) {
        registry.counter("mailwright.messages.accepted", "protocol", protocol).increment();
        registry.counter("mailwright.recipients.accepted", "protocol", protocol).increment(recipients);
        DistributionSummary.builder("mailwright.message.bytes").baseUnit("bytes").tag("protocol", protocol)
                .register(registry).record(bytes);
        Timer.builder("mailwright.delivery").description("time to commit an accepted message to the store")
                .tag("protocol", protocol).register(registry).record(commit);
    }

    @Override
    public void messageRejected(String protocol, String reason) {
        registry.counter("mailwright.messages.rejected", "protocol", protocol, "reason", reason).increment();
    }

    @Override
    public void messageRetrieved(String protocol, long bytes) {
        registry.counter("mailwright.messages.retrieved", "protocol", protocol).increment();
        Counter.builder("mailwright.retrieved").baseUnit("bytes").tag("protocol", protocol).register(registry)
                .increment(bytes);
    }

    @Override
    public void storeError(String protocol) {
        registry.counter("mailwright.store.errors", "protocol", protocol).increment();
    }
}
