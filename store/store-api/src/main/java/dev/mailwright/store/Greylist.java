package dev.mailwright.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Greylisting triplets (client network, envelope sender, recipient), kept in the store so that
 * every node of a cluster greylists alike: a client that retries through another node passes.
 * The store's clock says what "now" is.
 */
public interface Greylist {

    /** What an attempt of a triplet found. */
    enum Outcome {
        /** Not seen before, or seen so long ago that its retry window closed: to be tried again later. */
        NEW,
        /** Seen, but its delay is not over yet. */
        TOO_EARLY,
        /** Retried after the delay and within the retry window: passes, and is known from now on. */
        PASSED,
        /** Passed before and not forgotten since: passes at once. */
        KNOWN;

        public boolean passes() {
            return this == PASSED || this == KNOWN;
        }
    }

    /**
     * @param delay       how long a new triplet waits before a retry passes
     * @param retryWindow how long after the first attempt a retry still counts; later, it starts again
     * @param known       how long a triplet that passed passes at once, counted from its last use
     */
    record Rules(Duration delay, Duration retryWindow, Duration known) {
        public Rules {
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(retryWindow, "retryWindow");
            Objects.requireNonNull(known, "known");
            if (delay.isNegative() || retryWindow.compareTo(delay) <= 0 || known.isNegative() || known.isZero()) {
                throw new IllegalArgumentException("greylisting needs delay >= 0, a retry window longer than the "
                        + "delay, and a positive time to remember passed triplets");
            }
        }
    }

    /**
     * Records an attempt of the triplet now and says whether it passes. Atomic: nodes that see the
     * same triplet at once agree. The strings are compared exactly (the caller normalises them).
     */
    Outcome attempt(String network, String sender, String recipient, Rules rules);

    /** Forgets triplets whose retry window or remembered time is over; returns how many. */
    int expire();
}
