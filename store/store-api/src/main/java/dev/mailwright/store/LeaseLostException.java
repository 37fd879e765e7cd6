package dev.mailwright.store;

/**
 * The caller's lease (on a maildrop or a queue item) expired and was taken over, or was
 * never held; the change it asked for was not made.
 */
public class LeaseLostException extends StoreException {
    public LeaseLostException(String message) {
        super(message);
    }
}
