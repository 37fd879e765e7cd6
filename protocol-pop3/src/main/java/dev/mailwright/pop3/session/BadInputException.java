package dev.mailwright.pop3.session;

/** Thrown by a command for bad input; the dispatcher answers {@code -ERR <message>} and counts it. */
public final class BadInputException extends RuntimeException {
    public BadInputException(String message) {
        super(message, null, false, false);
    }
}
