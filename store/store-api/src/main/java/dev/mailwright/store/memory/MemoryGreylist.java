package dev.mailwright.store.memory;

import dev.mailwright.store.Greylist;
import dev.mailwright.store.internal.GreylistRule;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@link Greylist} in memory: one node's triplets, gone at restart. */
final class MemoryGreylist implements Greylist {

    private final Clock clock;
    private final Map<List<String>, GreylistRule.Entry> entries = new ConcurrentHashMap<>();

    MemoryGreylist(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Outcome attempt(String network, String sender, String recipient, Rules rules) {
        Instant now = clock.instant();
        Outcome[] outcome = new Outcome[1];
        entries.compute(List.of(network, sender, recipient), (k, e) -> {
            GreylistRule.Step step = GreylistRule.attempt(e, now, rules);
            outcome[0] = step.outcome();
            return step.entry();
        });
        return outcome[0];
    }

    @Override
    public int expire() {
        Instant now = clock.instant();
        int before = entries.size();
        entries.values().removeIf(e -> !e.expires().isAfter(now));
        return before - entries.size();
    }
}
