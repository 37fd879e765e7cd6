package dev.mailwright.password;

import java.util.Optional;

/**
 * The most a stored hash may cost to verify. A hash over a cap is refused at import and never
 * computed at login (the login fails at once): otherwise one imported or tampered hash could
 * make every wrong guess cost seconds of CPU or gigabytes of memory.
 */
public final class CostCaps {

    /** Argon2 memory: 256 MiB, in KiB. */
    public static final int ARGON2_MEMORY_KIB = 256 * 1024;
    public static final int ARGON2_ITERATIONS = 10;
    public static final int ARGON2_PARALLELISM = 8;
    /** bcrypt: 2^13 rounds, about 0.5 s on a current core. */
    public static final int BCRYPT_COST = 13;
    /** SHA256-CRYPT and SHA512-CRYPT {@code rounds=}. */
    public static final int CRYPT_ROUNDS = 1_000_000;
    /** PBKDF2 iterations (Dovecot's {PBKDF2}) and SCRAM iterations. */
    public static final int PBKDF2_ITERATIONS = 1_000_000;

    private CostCaps() {
    }

    /** Why Argon2 at this cost is refused, or empty. */
    static Optional<String> argon2(int memoryKib, int iterations, int parallelism) {
        if (memoryKib > ARGON2_MEMORY_KIB) {
            return Optional.of("Argon2 memory m=" + memoryKib + " KiB is over the cap of " + ARGON2_MEMORY_KIB
                    + " KiB (256 MiB)");
        }
        if (iterations > ARGON2_ITERATIONS) {
            return Optional.of("Argon2 iterations t=" + iterations + " is over the cap of " + ARGON2_ITERATIONS);
        }
        if (parallelism > ARGON2_PARALLELISM) {
            return Optional.of("Argon2 lanes p=" + parallelism + " is over the cap of " + ARGON2_PARALLELISM);
        }
        return Optional.empty();
    }

    static Optional<String> bcrypt(int cost) {
        return cost > BCRYPT_COST ? Optional.of("bcrypt cost " + cost + " is over the cap of " + BCRYPT_COST)
                : Optional.empty();
    }

    static Optional<String> cryptRounds(long rounds) {
        return rounds > CRYPT_ROUNDS ? Optional.of("crypt rounds=" + rounds + " is over the cap of " + CRYPT_ROUNDS)
                : Optional.empty();
    }

    static Optional<String> pbkdf2(long iterations, String what) {
        return iterations > PBKDF2_ITERATIONS
                ? Optional.of(what + " iterations " + iterations + " is over the cap of " + PBKDF2_ITERATIONS)
                : Optional.empty();
    }
}
