package dev.mailwright.store;

/** Base of everything the store throws on purpose. Permanent unless it is a {@link StoreUnavailableException}. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
