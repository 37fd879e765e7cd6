package dev.mailwright.store.password;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Argon2 by the system's C libraries when they are installed: libsodium (what Dovecot uses;
 * vectorised, about 2.4 times faster than the Java implementation here) for the common case of
 * a 16-octet salt and one lane, else libargon2 (the reference implementation, about 1.3 times
 * faster). Same algorithm, same output; {@link PasswordHashing} falls back to BouncyCastle
 * when neither library is present or both refuse the parameters.
 */
final class NativeArgon2 {

    /** From {@code sodium/crypto_pwhash.h}; lengths are 64-bit here. */
    interface Sodium extends Library {
        int sodium_init();

        int crypto_pwhash(byte[] out, long outlen, Pointer passwd, long passwdlen, byte[] salt, long opslimit,
                          long memlimit, int alg);
    }

    /** From {@code argon2.h}; sizes are {@code size_t} (64-bit here). */
    interface Argon2 extends Library {
        int argon2_hash(int tCost, int mCost, int parallelism, Pointer pwd, long pwdlen, byte[] salt, long saltlen,
                        byte[] hash, long hashlen, Pointer encoded, long encodedlen, int type, int version);
    }

    private static final int ARGON2_OK = 0;
    private static final int SODIUM_SALT_BYTES = 16;
    private static final Optional<Sodium> SODIUM = load(Sodium.class, "sodium", "libsodium.so.26", "libsodium.so.23")
            .filter(s -> s.sodium_init() >= 0);
    private static final Optional<Argon2> ARGON2 = load(Argon2.class, "argon2", "libargon2.so.1");

    private NativeArgon2() {
    }

    private static <T extends Library> Optional<T> load(Class<T> type, String... names) {
        if (Native.SIZE_T_SIZE != 8 || Platform.isWindows()) {
            return Optional.empty();
        }
        for (String name : names) {
            try {
                return Optional.of(Native.load(name, type));
            } catch (UnsatisfiedLinkError | RuntimeException e) {
                // not under this name
            }
        }
        return Optional.empty();
    }

    /** Whether a system library hashes (for some parameters at least). */
    static boolean available() {
        return SODIUM.isPresent() || ARGON2.isPresent();
    }

    /** The libraries found, for the log: "libsodium, libargon2", or empty. */
    static List<String> libraries() {
        List<String> names = new ArrayList<>();
        SODIUM.ifPresent(s -> names.add("libsodium"));
        ARGON2.ifPresent(a -> names.add("libargon2"));
        return names;
    }

    /**
     * The raw Argon2 hash by libsodium, else libargon2; empty when neither is present or takes
     * the parameters (libargon2 refuses a salt under 8 octets, which the Java code still takes).
     *
     * @param type 0 Argon2d, 1 Argon2i, 2 Argon2id (the numbering of argon2.h and BouncyCastle)
     * @param password UTF-8; copied into native memory that is zeroed before it is freed
     */
    static Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                 int parallelism, int length) {
        Optional<byte[]> fast = sodium(type, password, salt, memoryKib, iterations, parallelism, length);
        return fast.isPresent() ? fast : argon2(type, password, salt, memoryKib, iterations, parallelism, length);
    }

    /** By libsodium: Argon2i and Argon2id, version 1.3, one lane, a 16-octet salt. */
    static Optional<byte[]> sodium(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                   int parallelism, int length) {
        if (SODIUM.isEmpty() || (type != 1 && type != 2) || parallelism != 1 || salt.length != SODIUM_SALT_BYTES) {
            return Optional.empty();
        }
        byte[] out = new byte[length];
        int rc = withPassword(password, pwd -> SODIUM.get().crypto_pwhash(out, length, pwd, password.length, salt,
                iterations, memoryKib * 1024L, type)); // crypto_pwhash_ALG_ARGON2I13 = 1, _ARGON2ID13 = 2
        return rc == 0 ? Optional.of(out) : Optional.empty();
    }

    /** By libargon2, any type and lane count. */
    static Optional<byte[]> argon2(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                   int parallelism, int length) {
        if (ARGON2.isEmpty()) {
            return Optional.empty();
        }
        byte[] out = new byte[length];
        int rc = withPassword(password, pwd -> ARGON2.get().argon2_hash(iterations, memoryKib, parallelism, pwd,
                password.length, salt, salt.length, out, length, null, 0, type, 0x13));
        return rc == ARGON2_OK ? Optional.of(out) : Optional.empty();
    }

    private interface Call {
        int call(Pointer password);
    }

    private static int withPassword(byte[] password, Call call) {
        try (Memory pwd = new Memory(Math.max(1, password.length))) {
            pwd.write(0, password, 0, password.length);
            try {
                return call.call(pwd);
            } finally {
                pwd.clear();
            }
        }
    }
}
