package dev.mailwright.store;

/** Starts delivery transactions. */
public interface Deliveries {

    /**
     * Opens a delivery; nothing is visible to anyone until {@link Delivery#commit()}. Opening it,
     * {@link Delivery#content()} and {@link Delivery#close()} of a delivery without content on disk
     * ask nothing of the database: a protocol may call them on a network thread.
     */
    Delivery begin(Envelope envelope);
}
