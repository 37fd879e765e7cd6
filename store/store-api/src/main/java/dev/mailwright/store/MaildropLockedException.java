package dev.mailwright.store;

/** Another session (on this node or another) holds the maildrop; POP3 answers {@code [IN-USE]}. */
public class MaildropLockedException extends StoreException {
    public MaildropLockedException(String message) {
        super(message);
    }
}
