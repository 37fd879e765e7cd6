package dev.mailwright.admin.mail;

/** A source file that cannot be imported as given; the message says which message or line. */
public final class ImportFormatException extends Exception {
    public ImportFormatException(String message) {
        super(message);
    }
}
