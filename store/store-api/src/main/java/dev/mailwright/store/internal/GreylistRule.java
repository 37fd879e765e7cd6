package dev.mailwright.store.internal;

import dev.mailwright.store.Greylist;
import java.time.Instant;

/**
 * The one rule of {@link Greylist#attempt}, which every store applies to its row of the triplet:
 * a missing or expired row starts waiting; a known row is used and kept longer; a waiting row
 * passes once its delay is over, and waits otherwise.
 */
public final class GreylistRule {

    /**
     * A triplet's row.
     *
     * @param passed when it first passed; null while it waits
     */
    public record Entry(Instant firstSeen, Instant passed, Instant expires) {
    }

    /** An attempt's outcome and the row to keep. */
    public record Step(Greylist.Outcome outcome, Entry entry) {
    }

    private GreylistRule() {
    }

    /** @param current the row, or null if there is none */
    public static Step attempt(Entry current, Instant now, Greylist.Rules rules) {
        if (current == null || !current.expires().isAfter(now)) {
            return new Step(Greylist.Outcome.NEW, new Entry(now, null, now.plus(rules.retryWindow())));
        }
        if (current.passed() != null) {
            return new Step(Greylist.Outcome.KNOWN, new Entry(current.firstSeen(), current.passed(), now.plus(rules.known())));
        }
        if (current.firstSeen().plus(rules.delay()).isAfter(now)) {
            return new Step(Greylist.Outcome.TOO_EARLY, current);
        }
        return new Step(Greylist.Outcome.PASSED, new Entry(current.firstSeen(), now, now.plus(rules.known())));
    }
}
