package dev.mailwright.admin.command;

/**
 * A failure a command reports as one line on stderr with its exit code: {@link #USER} (bad
 * input, unknown name, duplicate...) or {@link #ENVIRONMENT} (database unreachable, file
 * system, network).
 */
public final class AdminException extends RuntimeException {

    public static final int USER = 1;
    public static final int ENVIRONMENT = 2;

    private final int exitCode;

    private AdminException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static AdminException user(String message) {
        return new AdminException(USER, message, null);
    }

    public static AdminException environment(String message, Throwable cause) {
        return new AdminException(ENVIRONMENT, message, cause);
    }

    public int exitCode() {
        return exitCode;
    }
}
