package dev.mailwright.server;

import dev.mailwright.store.Deliveries;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.ForwardingDelivery;
import dev.mailwright.store.ForwardingMailStore;
import dev.mailwright.store.MailStore;

/**
 * The server's store as the protocols see it: the real store, except that a delivery which
 * queued mail for remote recipients wakes the outbound worker as soon as it commits, so
 * submitted mail leaves at once rather than at the worker's next poll.
 */
final class QueueSignallingStore extends ForwardingMailStore {

    private volatile Runnable queued = () -> { };

    QueueSignallingStore(MailStore store) {
        super(store);
    }

    /** What to run after a commit that queued remote recipients (the worker's wake-up). */
    void onQueued(Runnable action) {
        queued = action;
    }

    @Override
    public Deliveries deliveries() {
        Deliveries deliveries = delegate().deliveries();
        return envelope -> new Signalling(deliveries.begin(envelope));
    }

    private final class Signalling extends ForwardingDelivery {

        Signalling(Delivery delivery) {
            super(delivery);
        }

        @Override
        public DeliveryReceipt commit() {
            DeliveryReceipt receipt = super.commit();
            if (receipt.queued() > 0) {
                queued.run();
            }
            return receipt;
        }
    }
}
