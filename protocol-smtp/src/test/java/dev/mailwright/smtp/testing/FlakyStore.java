package dev.mailwright.smtp.testing;

import dev.mailwright.store.Deliveries;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.ForwardingDelivery;
import dev.mailwright.store.ForwardingMailStore;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.StoreUnavailableException;
import java.sql.SQLException;

/** A store whose commits fail with {@link StoreUnavailableException} while {@link #down} is set, like a stopped database. */
public final class FlakyStore extends ForwardingMailStore {

    public volatile boolean down;

    public FlakyStore(MailStore real) {
        super(real);
    }

    @Override
    public Deliveries deliveries() {
        Deliveries real = delegate().deliveries();
        return envelope -> new ForwardingDelivery(real.begin(envelope)) {
            @Override
            public DeliveryReceipt commit() {
                if (down) {
                    abort();
                    throw new StoreUnavailableException("database stopped", new SQLException("connection refused", "08001"));
                }
                return super.commit();
            }
        };
    }
}
