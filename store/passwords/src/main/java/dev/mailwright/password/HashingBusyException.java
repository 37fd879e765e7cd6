package dev.mailwright.password;

import java.time.Duration;

/** A hash waited longer than its {@link HashLimit} allows (or was interrupted): a temporary failure, not a wrong password. */
public final class HashingBusyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    HashingBusyException(Duration waited) {
        super("password hashing busy: no turn within " + waited.toSeconds() + " s");
    }
}
