package dev.mailwright.server.config;

/**
 * The server cannot start because of its environment: the database is unreachable, a port is
 * in use, a certificate cannot be loaded. The message is one line for the administrator.
 */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
