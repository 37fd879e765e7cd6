package dev.mailwright.protocol.limit;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A floor under the rate a client sends content at, measured as Apache httpd's
 * {@code mod_reqtimeout} measures a request body ({@code MinRate}): the content may take
 * {@code grace}, and every octet received buys {@code 1 / minRate} seconds more. A client that
 * sent fast early keeps that credit; one that trickles from the start runs out once the grace is
 * over. Pauses count (a slow client cannot rest between parts), the server's own work after the
 * content ended does not ({@link #stop}). Not thread-safe: one per session (ADR 0028).
 */
public final class MinimumRate {

    private final long minRate;
    private final long graceNanos;
    private final LongSupplier nanoTime;
    private boolean running;
    private long started;
    private long octets;

    /** @param minRate octets per second; 0 turns the floor off */
    public MinimumRate(int minRate, Duration grace) {
        this(minRate, grace, System::nanoTime);
    }

    /** With the clock it is measured by ({@link System#nanoTime()} in production). */
    public MinimumRate(int minRate, Duration grace, LongSupplier nanoTime) {
        if (minRate < 0 || grace.isNegative()) {
            throw new IllegalArgumentException("negative rate or grace");
        }
        this.minRate = minRate;
        this.graceNanos = grace.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Content starts now (a no-op while it runs already). */
    public void start() {
        if (!running) {
            running = true;
            started = nanoTime.getAsLong();
            octets = 0;
        }
    }

    /** The content ended (or was dropped): nothing is measured until the next {@link #start}. */
    public void stop() {
        running = false;
    }

    public boolean running() {
        return running;
    }

    /** {@code n} more octets of content arrived. */
    public void received(long n) {
        octets += n;
    }

    /** Whether the content is late: more time has passed than the grace and the octets received pay for. */
    public boolean tooSlow() {
        if (!running || minRate == 0) {
            return false;
        }
        long elapsed = nanoTime.getAsLong() - started;
        if (elapsed <= graceNanos) {
            return false;
        }
        // octets / minRate seconds, in nanoseconds, without overflow for any message size
        double paid = (double) octets / minRate * 1e9;
        return elapsed - graceNanos > paid;
    }
}
