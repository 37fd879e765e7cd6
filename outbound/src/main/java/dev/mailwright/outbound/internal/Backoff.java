package dev.mailwright.outbound.internal;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * The retry schedule: {@code first * 2^attempts}, capped at {@code max}, then shortened by up
 * to a fifth at random so that the items that failed together do not all come back together.
 */
public final class Backoff {

    private final Duration first;
    private final Duration max;
    private final RandomGenerator random;

    public Backoff(Duration first, Duration max, RandomGenerator random) {
        this.first = first;
        this.max = max;
        this.random = random;
    }

    /** The delay after the attempt that made {@code attemptsBefore + 1} attempts in all. */
    public Duration delay(int attemptsBefore) {
        int doublings = Math.min(Math.max(attemptsBefore, 0), 30);
        long millis = first.toMillis();
        long cap = max.toMillis();
        for (int i = 0; i < doublings && millis < cap; i++) {
            millis *= 2;
        }
        millis = Math.min(millis, cap);
        long jitter = (long) (millis * 0.2 * random.nextDouble());
        return Duration.ofMillis(Math.max(1000, millis - jitter));
    }
}
