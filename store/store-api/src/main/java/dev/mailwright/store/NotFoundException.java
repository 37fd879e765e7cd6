package dev.mailwright.store;

/** The named domain, account, alias or queue item does not exist. */
public class NotFoundException extends StoreException {
    public NotFoundException(String message) {
        super(message);
    }
}
