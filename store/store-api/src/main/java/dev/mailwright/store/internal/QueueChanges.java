package dev.mailwright.store.internal;

import dev.mailwright.store.OutboundQueue.Change;
import dev.mailwright.store.OutboundQueue.Outcome;
import dev.mailwright.store.QueueItem;

/** The one rule, for every store, of what an administrator's queue change does to an item in a given state. */
public final class QueueChanges {

    private QueueChanges() {
    }

    /** What {@code change} does to an item in {@code state}: {@link Outcome#DONE} when it changes it. */
    public static Outcome outcome(Change change, QueueItem.State state) {
        return switch (change) {
            case DELETE -> Outcome.DONE;
            case RELEASE -> state == QueueItem.State.HELD ? Outcome.DONE : Outcome.NOT_HELD;
            case HOLD, RETRY -> switch (state) {
                case CLAIMED -> Outcome.BEING_DELIVERED;
                case FAILED -> Outcome.AWAITING_BOUNCE;
                case HELD -> change == Change.HOLD ? Outcome.ALREADY_HELD : Outcome.DONE;
                case QUEUED -> Outcome.DONE;
            };
        };
    }
}
