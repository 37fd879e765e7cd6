package dev.mailwright.store;

import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** A delivery that hands every call to another one; subclasses override what they change (usually {@link #commit()}). */
public abstract class ForwardingDelivery implements Delivery {

    private final Delivery delegate;

    protected ForwardingDelivery(Delivery delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The delivery calls are handed to. */
    protected Delivery delegate() {
        return delegate;
    }

    @Override
    public void addLocal(Resolution.LocalRecipient recipient, long expectedSize) {
        delegate.addLocal(recipient, expectedSize);
    }

    @Override
    public Resolution addRecipient(Address recipient, long expectedSize) {
        return delegate.addRecipient(recipient, expectedSize);
    }

    @Override
    public boolean remembers(Address recipient) {
        return delegate.remembers(recipient);
    }

    @Override
    public void addLocal(Resolution.LocalRecipient recipient, Optional<String> uidl) {
        delegate.addLocal(recipient, uidl);
    }

    @Override
    public void addRemote(RemoteRecipient recipient) {
        delegate.addRemote(recipient);
    }

    @Override
    public void settles(long messageId, Set<Long> failedItems) {
        delegate.settles(messageId, failedItems);
    }

    @Override
    public OutputStream content() {
        return delegate.content();
    }

    @Override
    public long size() {
        return delegate.size();
    }

    @Override
    public DeliveryReceipt commit() {
        return delegate.commit();
    }

    @Override
    public void abort() {
        delegate.abort();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
