package dev.mailwright.test.internal;

import dev.mailwright.protocol.fault.Fault;
import dev.mailwright.protocol.fault.FaultHook;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The fault hook one server of the test kit is given: rules asked in the order they were added;
 * the first that matches and has uses left injects its fault (and uses one up).
 */
public final class ScriptedFaults implements FaultHook {

    /** One scripted fault: where, for which argument, how often (-1: always), what. */
    public record Rule(Set<String> stages, Predicate<String> argument, AtomicInteger remaining, Fault fault) {
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();

    public void add(Rule rule) {
        rules.add(rule);
    }

    public void clear() {
        rules.clear();
    }

    @Override
    public Optional<Fault> at(String stage, String argument) {
        for (Rule r : rules) {
            if (!r.stages().contains(stage) || !r.argument().test(argument)) {
                continue;
            }
            for (;;) {
                int left = r.remaining().get();
                if (left < 0) {
                    return Optional.of(r.fault());
                }
                if (left == 0) {
                    break;
                }
                if (r.remaining().compareAndSet(left, left - 1)) {
                    return Optional.of(r.fault());
                }
            }
        }
        return Optional.empty();
    }
}
