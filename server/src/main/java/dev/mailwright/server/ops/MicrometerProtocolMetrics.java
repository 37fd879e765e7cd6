package dev.mailwright.server.ops;

import dev.mailwright.protocol.metrics.ProtocolMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The protocol servers' events as Micrometer meters. Names follow Prometheus conventions once
 * exported: {@code mailwright_connections_total}, {@code mailwright_sessions_active},
 * {@code mailwright_commands_total{verb,result}}, {@code mailwright_auth_total{result}},
 * {@code mailwright_messages_accepted_total}, {@code mailwright_messages_rejected_total{reason}},
 * {@code mailwright_message_bytes}, {@code mailwright_delivery_seconds},
 * {@code mailwright_messages_retrieved_total}, {@code mailwright_store_errors_total}, each
 * tagged with {@code protocol}. Meters are looked up once per tag combination and kept, so an
 * event on the session threads costs a map read and an increment.
 */
public final class MicrometerProtocolMetrics implements ProtocolMetrics {

    private final MeterRegistry registry;
    private final Map<String, AtomicInteger> active = new ConcurrentHashMap<>();
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, DistributionSummary> sizes = new ConcurrentHashMap<>();

    public MicrometerProtocolMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The counter of that name and tags (name, then tag key/value pairs), made on first use. */
    private Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(name + "\0" + String.join("\0", tags), k -> registry.counter(name, tags));
    }

    private Timer timer(String name, String protocol, Function<Timer.Builder, Timer.Builder> describe) {
        return timers.computeIfAbsent(name + "\0" + protocol,
                k -> describe.apply(Timer.builder(name).tag("protocol", protocol)).register(registry));
    }

    @Override
    public void connectionOpened(String protocol) {
        counter("mailwright.connections", "protocol", protocol).increment();
        sessions(protocol).incrementAndGet();
    }

    @Override
    public void connectionClosed(String protocol, Duration duration) {
        sessions(protocol).decrementAndGet();
        timer("mailwright.session.duration", protocol, b -> b).record(duration);
    }

    private AtomicInteger sessions(String protocol) {
        return active.computeIfAbsent(protocol, p ->
                registry.gauge("mailwright.sessions.active", List.of(Tag.of("protocol", p)), new AtomicInteger()));
    }

    @Override
    public void command(String protocol, String verb, boolean ok) {
        counter("mailwright.commands", "protocol", protocol, "verb", verb, "result", ok ? "ok" : "error").increment();
    }

    @Override
    public void authentication(String protocol, boolean success) {
        counter("mailwright.auth", "protocol", protocol, "result", success ? "success" : "failure").increment();
    }

    @Override
    public void messageAccepted(String protocol, long bytes, int recipients, Duration commit) {
        counter("mailwright.messages.accepted", "protocol", protocol).increment();
        counter("mailwright.recipients.accepted", "protocol", protocol).increment(recipients);
        sizes.computeIfAbsent(protocol, p -> DistributionSummary.builder("mailwright.message.bytes").baseUnit("bytes")
                .tag("protocol", p).register(registry)).record(bytes);
        timer("mailwright.delivery", protocol, b -> b.description("time to commit an accepted message to the store"))
                .record(commit);
    }

    @Override
    public void messageRejected(String protocol, String reason) {
        counter("mailwright.messages.rejected", "protocol", protocol, "reason", reason).increment();
    }

    @Override
    public void messageRetrieved(String protocol, long bytes) {
        counter("mailwright.messages.retrieved", "protocol", protocol).increment();
        counters.computeIfAbsent("mailwright.retrieved.bytes\0" + protocol, k -> Counter.builder("mailwright.retrieved")
                .baseUnit("bytes").tag("protocol", protocol).register(registry)).increment(bytes);
    }

    /** {@code mailwright_sessions_timed_out_total{protocol, deadline}}: sessions cut off for slowness (ADR 0028). */
    @Override
    public void timedOut(String protocol, String deadline) {
        counter("mailwright.sessions.timed.out", "protocol", protocol, "deadline", deadline).increment();
    }

    @Override
    public void storeError(String protocol) {
        counter("mailwright.store.errors", "protocol", protocol).increment();
    }
}
