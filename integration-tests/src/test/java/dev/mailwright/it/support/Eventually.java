package dev.mailwright.it.support;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Polling with a deadline for conditions that become true eventually (a lock that expires, a
 * database that comes back). The deadline is a generous upper bound, never the assertion
 * itself: the poll returns as soon as the condition holds.
 */
public final class Eventually {

    private Eventually() {
    }

    /**
     * Calls {@code attempt} until it returns a non-null value or the deadline passes; exceptions
     * count as "not yet". On timeout the last exception (or the description) fails the test.
     */
    public static <T> T await(String what, Duration deadline, Callable<T> attempt) {
        long end = System.nanoTime() + deadline.toNanos();
        Throwable last = null;
        while (true) {
            try {
                T value = attempt.call();
                if (value != null) {
                    return value;
                }
            } catch (Exception | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() > end) {
                AssertionError failure = new AssertionError("not true within " + deadline + ": " + what);
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            try {
                Thread.sleep(200); // polling interval, not an assertion
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, e);
            }
        }
    }

    /** {@link #await} for a boolean condition. */
    public static void until(String what, Duration deadline, Callable<Boolean> condition) {
        await(what, deadline, () -> Boolean.TRUE.equals(condition.call()) ? Boolean.TRUE : null);
    }
}
