package dev.mailwright.password;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.Optional;

/** {@code crypto_pwhash} through JNA: Argon2i and Argon2id, one lane, a 16-octet salt. Only {@link Libsodium} makes one. */
final class SodiumArgon2 implements Argon2 {

    /** From {@code sodium/crypto_pwhash.h} and {@code sodium/core.h}; lengths are {@code size_t}/{@code unsigned long long}. */
    interface Sodium extends Library {
        int sodium_init();

        String sodium_version_string();

        int crypto_pwhash(byte[] out, long outlen, Pointer passwd, long passwdlen, byte[] salt, long opslimit,
                          long memlimit, int alg);
    }

    private static final int SALT_BYTES = 16; // crypto_pwhash_SALTBYTES

    private final Sodium sodium;
    private final String name;

    private SodiumArgon2(Sodium sodium) {
        this.sodium = sodium;
        this.name = "libsodium " + sodium.sodium_version_string();
    }

    static Optional<Argon2> load() {
        if (Native.SIZE_T_SIZE != 8 || Platform.isWindows()) {
            return Optional.empty(); // the interface above declares size_t as long
        }
        for (String library : new String[] {"libsodium.so.26", "libsodium.so.23", "sodium"}) {
            try {
                Sodium sodium = Native.load(library, Sodium.class);
                if (sodium.sodium_init() >= 0) {
                    return Optional.of(new SodiumArgon2(sodium));
                }
            } catch (UnsatisfiedLinkError notUnderThisName) {
                // try the next name
            }
        }
        return Optional.empty();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                 int parallelism, int length) {
        if ((type != ARGON2_I && type != ARGON2_ID) || parallelism != 1 || salt.length != SALT_BYTES
                || (type == ARGON2_I && iterations < 3)) {
            return Optional.empty();
        }
        byte[] out = new byte[length];
        int rc;
        try (Memory pwd = new Memory(Math.max(1, password.length))) {
            pwd.write(0, password, 0, password.length);
            try {
                // crypto_pwhash_ALG_ARGON2I13 = 1, crypto_pwhash_ALG_ARGON2ID13 = 2: the same numbering as ours
                rc = sodium.crypto_pwhash(out, length, pwd, password.length, salt, iterations, memoryKib * 1024L, type);
            } finally {
                pwd.clear();
            }
        }
        return rc == 0 ? Optional.of(out) : Optional.empty(); // -1: out of memory, or limits it refuses
    }
}
