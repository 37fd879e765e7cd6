package dev.mailwright.server;

import dev.mailwright.store.Accounts;
import dev.mailwright.store.Aliases;
import dev.mailwright.store.Deliveries;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.DkimKeys;
import dev.mailwright.store.Domains;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Mailboxes;
import dev.mailwright.store.Maildrops;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The server's store as the protocols see it: the real store, except that a delivery which
 * queued mail for remote recipients wakes the outbound worker as soon as it commits, so
 * submitted mail leaves at once rather than at the worker's next poll.
 */
final class QueueSignallingStore implements MailStore {

    private final MailStore store;
    private volatile Runnable queued = () -> { };

    QueueSignallingStore(MailStore store) {
        this.store = store;
    }

    /** What to run after a commit that queued remote recipients (the worker's wake-up). */
    void onQueued(Runnable action) {
        queued = action;
    }

    @Override
    public Domains domains() {
        return store.domains();
    }

    @Override
    public Accounts accounts() {
        return store.accounts();
    }

    @Override
    public Aliases aliases() {
        return store.aliases();
    }

    @Override
    public Recipients recipients() {
        return store.recipients();
    }

    @Override
    public Deliveries deliveries() {
        return envelope -> new Signalling(store.deliveries().begin(envelope));
    }

    @Override
    public Maildrops maildrops() {
        return store.maildrops();
    }

    @Override
    public OutboundQueue queue() {
        return store.queue();
    }

    @Override
    public Mailboxes mailboxes() {
        return store.mailboxes();
    }

    @Override
    public DkimKeys dkimKeys() {
        return store.dkimKeys();
    }

    @Override
    public void close() {
        store.close();
    }

    private final class Signalling implements Delivery {
        private final Delivery delivery;

        Signalling(Delivery delivery) {
            this.delivery = delivery;
        }

        @Override
        public void addLocal(Resolution.LocalRecipient recipient, long expectedSize) {
            delivery.addLocal(recipient, expectedSize);
        }

        @Override
        public void addLocal(Resolution.LocalRecipient recipient, Optional<String> uidl) {
            delivery.addLocal(recipient, uidl);
        }

        @Override
        public void addRemote(RemoteRecipient recipient) {
            delivery.addRemote(recipient);
        }

        @Override
        public OutputStream content() {
            return delivery.content();
        }

        @Override
        public long size() {
            return delivery.size();
        }

        @Override
        public DeliveryReceipt commit() {
            DeliveryReceipt receipt = delivery.commit();
            if (receipt.queued() > 0) {
                queued.run();
            }
            return receipt;
        }

        @Override
        public void abort() {
            delivery.abort();
        }

        @Override
        public void close() {
            delivery.close();
        }
    }
}
