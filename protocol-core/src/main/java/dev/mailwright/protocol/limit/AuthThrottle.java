package dev.mailwright.protocol.limit;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Failed authentications per client address: each failure makes the next failure reply wait
 * longer (doubling from {@code baseDelay} up to {@code maxDelay}), and past
 * {@code maxFailures} within {@code window} the address is refused outright until the window
 * passes. A success from the address clears its record. Thread-safe; bounded in size.
 */
public final class AuthThrottle {

    private static final int MAX_TRACKED = 100_000;

    private final Duration baseDelay;
    private final Duration maxDelay;
    private final int maxFailures;
    private final Duration window;
    private final Clock clock;
    private final Map<InetAddress, Record> records = new HashMap<>();

    private record Record(int failures, Instant last) {
    }

    public AuthThrottle(Duration baseDelay, Duration maxDelay, int maxFailures, Duration window, Clock clock) {
        this.baseDelay = baseDelay;
        this.maxDelay = maxDelay;
        this.maxFailures = maxFailures;
        this.window = window;
        this.clock = clock;
    }

    /** 1 s doubling up to 15 s; 30 failures per 15 minutes. */
    public static AuthThrottle standard() {
        return new AuthThrottle(Duration.ofSeconds(1), Duration.ofSeconds(15), 30, Duration.ofMinutes(15),
                Clock.systemUTC());
    }

    /** No delays and no blocking (tests of other things). */
    public static AuthThrottle disabled() {
        return new AuthThrottle(Duration.ZERO, Duration.ZERO, Integer.MAX_VALUE, Duration.ofSeconds(1), Clock.systemUTC());
    }

    /** Records a failure; returns how long to wait before answering it. */
    public synchronized Duration failed(InetAddress client) {
        Instant now = clock.instant();
        Record r = current(client, now);
        int failures = r == null ? 1 : r.failures + 1;
        if (records.size() >= MAX_TRACKED && !records.containsKey(client)) {
            purge(now);
        }
        records.put(client, new Record(failures, now));
        return delayFor(failures);
    }

    Duration delayFor(int failures) {
        if (baseDelay.isZero()) {
            return Duration.ZERO;
        }
        int shift = Math.min(failures - 1, 30);
        Duration d = baseDelay.multipliedBy(1L << shift);
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }

    /** Whether the address has used up its attempts for now. */
    public synchronized boolean blocked(InetAddress client) {
        Record r = current(client, clock.instant());
        return r != null && r.failures >= maxFailures;
    }

    public synchronized void succeeded(InetAddress client) {
        records.remove(client);
    }

    public synchronized int failures(InetAddress client) {
        Record r = current(client, clock.instant());
        return r == null ? 0 : r.failures;
    }

    private Record current(InetAddress client, Instant now) {
        Record r = records.get(client);
        if (r != null && r.last.plus(window).isBefore(now)) {
            records.remove(client);
            return null;
        }
        return r;
    }

    private void purge(Instant now) {
        for (Iterator<Record> it = records.values().iterator(); it.hasNext(); ) {
            if (it.next().last.plus(window).isBefore(now)) {
                it.remove();
            }
        }
        if (records.size() >= MAX_TRACKED) {
            records.clear();
        }
    }
}
