package dev.mailwright.smtp.testing;

import dev.mailwright.store.Accounts;
import dev.mailwright.store.Aliases;
import dev.mailwright.store.Deliveries;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Domains;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Maildrops;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.StoreUnavailableException;
import java.io.OutputStream;
import java.sql.SQLException;
import java.util.Optional;

/** A store whose commits fail with {@link StoreUnavailableException} while {@link #down} is set, like a stopped database. */
public final class FlakyStore implements MailStore {

    private final MailStore real;
    public volatile boolean down;

    public FlakyStore(MailStore real) {
        this.real = real;
    }

    @Override
    public Domains domains() {
        return real.domains();
    }

    @Override
    public Accounts accounts() {
        return real.accounts();
    }

    @Override
    public Aliases aliases() {
        return real.aliases();
    }

    @Override
    public Recipients recipients() {
        return real.recipients();
    }

    @Override
    public Deliveries deliveries() {
        return envelope -> {
            Delivery d = real.deliveries().begin(envelope);
            return new Delivery() {
                @Override
                public void addLocal(Resolution.LocalRecipient recipient, long expectedSize) {
                    d.addLocal(recipient, expectedSize);
                }

                @Override
                public void addLocal(Resolution.LocalRecipient recipient, Optional<String> uidl) {
                    d.addLocal(recipient, uidl);
                }

                @Override
                public void addRemote(RemoteRecipient recipient) {
                    d.addRemote(recipient);
                }

                @Override
                public OutputStream content() {
                    return d.content();
                }

                @Override
                public long size() {
                    return d.size();
                }

                @Override
                public DeliveryReceipt commit() {
                    if (down) {
                        d.abort();
                        throw new StoreUnavailableException("database stopped", new SQLException("connection refused", "08001"));
                    }
                    return d.commit();
                }

                @Override
                public void abort() {
                    d.abort();
                }

                @Override
                public void close() {
                    d.close();
                }
            };
        };
    }

    @Override
    public Maildrops maildrops() {
        return real.maildrops();
    }

    @Override
    public OutboundQueue queue() {
        return real.queue();
    }

    @Override
    public dev.mailwright.store.Mailboxes mailboxes() {
        return real.mailboxes();
    }

    @Override
    public dev.mailwright.store.DkimKeys dkimKeys() {
        return real.dkimKeys();
    }

    @Override
    public void close() {
        real.close();
    }
}
