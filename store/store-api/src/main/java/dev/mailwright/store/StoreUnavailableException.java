package dev.mailwright.store;

/**
 * A temporary failure: the database cannot be reached, a transaction was aborted by a
 * serialization conflict, a statement timed out. Nothing was changed; the same request may
 * succeed later, so protocols answer {@code 451 4.3.0} or {@code -ERR [SYS/TEMP]}.
 */
public class StoreUnavailableException extends StoreException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
