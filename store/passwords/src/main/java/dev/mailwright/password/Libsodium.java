package dev.mailwright.password;

import java.util.Optional;

/**
 * libsodium's Argon2 ({@code crypto_pwhash}, what Dovecot uses), through JNA, for a caller that
 * opts in: nothing in this module loads it by itself, so {@code new PasswordHashing()} runs no
 * native code and starts no process. JNA is an optional dependency; the server adds it.
 *
 * <p>The first call loads JNA's own native part and looks the library up (JNA may run
 * {@code /sbin/ldconfig -p} to find it); later calls return the same answer.
 */
public final class Libsodium {

    private Libsodium() {
    }

    /** libsodium's Argon2 where JNA and {@code libsodium.so} load, else empty. */
    public static Optional<Argon2> argon2() {
        return Loaded.ARGON2;
    }

    /** Loaded once, on first use. */
    private static final class Loaded {
        static final Optional<Argon2> ARGON2 = load();

        private static Optional<Argon2> load() {
            try {
                return SodiumArgon2.load();
            } catch (LinkageError e) {
                return Optional.empty(); // no JNA on the class path, or its native part could not be unpacked
            }
        }
    }
}
