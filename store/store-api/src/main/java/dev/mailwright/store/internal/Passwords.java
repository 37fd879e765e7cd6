package dev.mailwright.store.internal;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;

/** Checks shared by every store before a password is hashed or a carried-over hash is stored. */
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

    /**
     * A carried-over hash must be of a supported scheme and within the cost caps, else
     * {@link InvalidInputException} naming the address and the reason
     * ({@link PasswordHashing#refusal(String)}).
     */
    public static void checkHash(Address address, String passwordHash) {
        PasswordHashing.refusal(passwordHash).ifPresent(reason -> {
            throw new InvalidInputException(address + ": " + reason);
        });
    }
}
