package dev.mailwright.store;

/** The domain, account or alias to create exists already. */
public class AlreadyExistsException extends StoreException {
    public AlreadyExistsException(String message) {
        super(message);
    }
}
