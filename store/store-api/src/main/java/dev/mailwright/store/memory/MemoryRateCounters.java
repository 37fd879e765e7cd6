package dev.mailwright.store.memory;

import dev.mailwright.store.RateCounters;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** {@link RateCounters} in memory: one node's counts, gone at restart. */
final class MemoryRateCounters implements RateCounters {

    private record Window(String key, Instant start) {
    }

    private final Map<Window, Long> counts = new ConcurrentHashMap<>();

    @Override
    public Result add(String key, Instant window, int amount, long limit) {
        Objects.requireNonNull(key, "key");
        Result[] result = new Result[1];
        counts.compute(new Window(key, window), (k, count) -> {
            long now = count == null ? 0 : count;
            if (now + amount > limit) {
                result[0] = new Result(false, now);
                return count;
            }
            result[0] = new Result(true, now + amount);
            return now + amount;
        });
        return result[0];
    }

    @Override
    public int expire(Instant before) {
        int before0 = counts.size();
        counts.keySet().removeIf(w -> w.start().isBefore(before));
        return before0 - counts.size();
    }
}
