package dev.mailwright.store;

/** Starts delivery transactions. */
public interface Deliveries {

    /** Opens a delivery; nothing is visible to anyone until {@link Delivery#commit()}. */
    Delivery begin(Envelope envelope);
}
