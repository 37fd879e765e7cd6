package dev.mailwright.store;

import java.time.Instant;

/**
 * Counters per key and fixed time window, kept in the store so that every node counts into the
 * same ones: the per-account sending limits of submission.
 */
public interface RateCounters {

    /**
     * The outcome of {@link #add}.
     *
     * @param added whether the amount was counted
     * @param count the window's count after adding, or the count that was too high to add to
     */
    record Result(boolean added, long count) {
    }

    /**
     * Adds {@code amount} to the count of {@code key} in the window starting at {@code window},
     * unless the count would then exceed {@code limit}: then nothing is added. Atomic across nodes.
     */
    Result add(String key, Instant window, int amount, long limit);

    /** Forgets the windows that started before {@code before}; returns how many. */
    int expire(Instant before);
}
