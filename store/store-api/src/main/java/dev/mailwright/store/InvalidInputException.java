package dev.mailwright.store;

/** Input that can never succeed as given: a malformed address, an empty password, an unknown domain. */
public class InvalidInputException extends StoreException {
    public InvalidInputException(String message) {
        super(message);
    }
}
