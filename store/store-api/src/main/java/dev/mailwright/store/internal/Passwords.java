package dev.mailwright.store.internal;

import dev.mailwright.store.InvalidInputException;

/** Checks shared by every store before a password is hashed. */
public final class Passwords {

    /** Longer passwords are refused: hashing megabytes per login attempt is a denial of service. */
    public static final int MAX_LENGTH = 1024;

    private Passwords() {
    }

    public static void check(char[] password) {
        if (password == null || password.length == 0) {
            throw new InvalidInputException("empty password");
        }
        if (password.length > MAX_LENGTH) {
            throw new InvalidInputException("password longer than " + MAX_LENGTH + " characters");
        }
    }
}
