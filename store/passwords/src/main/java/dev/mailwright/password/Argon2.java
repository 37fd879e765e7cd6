package dev.mailwright.password;

import java.util.Optional;

/**
 * One implementation of Argon2 (RFC 9106, version 0x13), maintained by someone else:
 * {@link #java()} (BouncyCastle, pure Java, the default) or {@link Libsodium#argon2()}.
 */
public interface Argon2 {

    /** Argon2i, in the numbering of {@code argon2.h}, libsodium and BouncyCastle. */
    int ARGON2_I = 1;
    /** Argon2id. */
    int ARGON2_ID = 2;

    /** For the log: "BouncyCastle", "libsodium 1.0.18". */
    String name();

    /**
     * The raw tag of {@code length} octets, or empty when this implementation does not take
     * these parameters (libsodium: one lane and a 16-octet salt only); the caller then hashes
     * with {@link #java()}, which takes all.
     */
    Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism,
                          int length);

    /** BouncyCastle's Argon2: pure Java, memory on the heap, no native code. */
    static Argon2 java() {
        return JavaArgon2.INSTANCE;
    }
}
