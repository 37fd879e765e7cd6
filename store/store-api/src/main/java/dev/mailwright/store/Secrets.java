package dev.mailwright.store;

/**
 * Named secrets that every node of a cluster must share, made once and kept in the store (the
 * key of the Sender Rewriting Scheme, ADR 0027). Never shown by any admin command.
 */
public interface Secrets {

    /**
     * The secret stored under {@code name}; if there is none yet, {@code candidate} is stored and
     * returned. When nodes race, the first to store wins and every node gets its value.
     */
    byte[] getOrCreate(String name, byte[] candidate);
}
