package dev.mailwright.store;

/** A mailbox is at its quota (bytes or messages); SMTP answers {@code 452 4.2.2} at RCPT. */
public class QuotaExceededException extends StoreException {
    public QuotaExceededException(String message) {
        super(message);
    }
}
