package dev.mailwright.store.password;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Argon2 in native code. First Mailwright's own ({@code src/main/c/mailwright_argon2.c}, in the
 * jar for Linux x86-64): it hashes into a few arenas of memory that stay mapped and touched
 * between hashes ({@link Arenas}), where the libraries below map fresh memory for every hash,
 * and on a virtual machine that first touch costs more than the hash (64 MiB, t=3 on our test
 * machine: 70 ms instead of libsodium's 160-200 ms; ADR 15). Where it has no arena to give
 * (arenas off, a cost above the configured one, 5 s spent waiting) or is absent: the system's
 * libsodium (what Dovecot uses) for the common case of a 16-octet salt and one lane, else
 * libargon2. Same algorithm, same output; {@link
 * PasswordHashing} falls back to BouncyCastle when none of these takes the parameters.
 */
final class NativeArgon2 {

    /** From {@code src/main/c/mailwright_argon2.c}. */
    interface Mailwright extends Library {
        int mw_argon2_hash(Pointer arena, long arenaBytes, int impl, int type, int tCost, int mKib, int lanes,
                           Pointer pwd, int pwdlen, byte[] salt, int saltlen, byte[] secret, int secretlen, byte[] ad,
                           int adlen, byte[] out, int outlen);

        Pointer mw_arena_new(long bytes);

        void mw_arena_free(Pointer arena, long bytes);

        int mw_argon2_impl();
    }

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
    /** Loaded from the jar ({@code linux-x86-64/libmailwright-argon2.so}) by JNA. */
    private static final Optional<Mailwright> OWN = load(Mailwright.class, "mailwright-argon2");
    private static final Arenas ARENAS = new Arenas(PasswordHashing.defaultArgon2Arenas());
    /** Longer than any sane hash takes: past it, something holds arenas far too long and libsodium takes over. */
    private static final long ARENA_WAIT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    private NativeArgon2() {
    }

    private static <T extends Library> Optional<T> load(Class<T> type, String... names) {
        try {
            if (Native.SIZE_T_SIZE != 8 || Platform.isWindows()) {
                return Optional.empty();
            }
        } catch (LinkageError e) {
            // JNA's own native part did not load (it is unpacked into user.home/.cache or java.io.tmpdir,
            // and neither was writable): no native library at all, BouncyCastle hashes
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

    /** Whether a native library hashes (for some parameters at least). */
    static boolean available() {
        return OWN.isPresent() || SODIUM.isPresent() || ARGON2.isPresent();
    }

    /** The libraries found, for the log: "Mailwright's (AVX2, up to 2 reused arenas), libsodium, libargon2", or empty. */
    static List<String> libraries() {
        List<String> names = new ArrayList<>();
        int arenas = ARENAS.limit();
        ownImplementation().ifPresent(impl -> names.add("Mailwright's (" + (impl == IMPL_AVX2 ? "AVX2" : "portable C")
                + (arenas == 0 ? ", arenas off: not used)" : ", up to " + arenas + " reused arenas)")));
        SODIUM.ifPresent(s -> names.add("libsodium"));
        ARGON2.ifPresent(a -> names.add("libargon2"));
        return names;
    }

    /**
     * The raw Argon2 hash by Mailwright's library in an arena, else libsodium, else
     * libargon2; empty when none is present or takes the parameters (a salt under 8 octets is
     * refused by all three, and the Java code still takes it).
     *
     * @param type 0 Argon2d, 1 Argon2i, 2 Argon2id (the numbering of argon2.h and BouncyCastle)
     * @param password UTF-8; copied into native memory that is zeroed before it is freed
     */
    static Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                 int parallelism, int length) {
        Optional<byte[]> own = own(type, password, salt, memoryKib, iterations, parallelism, length);
        if (own.isPresent()) {
            return own;
        }
        Optional<byte[]> fast = sodium(type, password, salt, memoryKib, iterations, parallelism, length);
        return fast.isPresent() ? fast : argon2(type, password, salt, memoryKib, iterations, parallelism, length);
    }

    /**
     * Lets arenas grow to hold hashes of this cost (the configured cost for new hashes; a stored
     * hash of a larger cost is verified by the libraries that map their own memory, so an
     * attacker's or an old import's huge cost never becomes memory held for good).
     */
    static void reserve(int memoryKib) {
        ARENAS.reserve(memoryKib * 1024L);
    }

    /** At most this many arenas (0: none, every hash by the system libraries); arenas over it are unmapped. */
    static void arenaLimit(int limit) {
        ARENAS.limit(limit);
    }

    /** By Mailwright's library in an arena; empty when it is absent or refuses, or no arena is to be had. */
    static Optional<byte[]> own(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                int parallelism, int length) {
        return own(IMPL_FASTEST, type, password, salt, NONE, NONE, memoryKib, iterations, parallelism, length);
    }

    /** {@link #own(int, byte[], byte[], int, int, int, int)} with the RFC's secret and associated data, for tests. */
    static Optional<byte[]> own(int impl, int type, byte[] password, byte[] salt, byte[] secret, byte[] ad,
                                int memoryKib, int iterations, int parallelism, int length) {
        if (OWN.isEmpty()) {
            return Optional.empty();
        }
        Arena arena = ARENAS.take(memoryKib * 1024L, ARENA_WAIT_NANOS);
        if (arena == null) {
            return Optional.empty();
        }
        try {
            byte[] out = new byte[length];
            int rc = withPassword(password, pwd -> OWN.get().mw_argon2_hash(arena.memory, arena.bytes, impl, type,
                    iterations, memoryKib, parallelism, pwd, password.length, salt, salt.length, secret,
                    secret.length, ad, ad.length, out, length));
            return rc == 0 ? Optional.of(out) : Optional.empty();
        } finally {
            ARENAS.give(arena);
        }
    }

    /** Mailwright's library, for tests that call it directly. */
    static Optional<Mailwright> ownLibrary() {
        return OWN;
    }

    /** Whether Mailwright's library is loaded, and which compression function it runs: {@link #IMPL_AVX2} or portable C. */
    static Optional<Integer> ownImplementation() {
        return OWN.map(Mailwright::mw_argon2_impl);
    }

    /** No secret, no associated data: what password hashes use. */
    private static final byte[] NONE = new byte[0];

    static final int IMPL_FASTEST = 0;
    static final int IMPL_PORTABLE = 1;
    static final int IMPL_AVX2 = 2;

    /** Memory kept mapped and touched between hashes; zeroed by the library after each hash. */
    record Arena(Pointer memory, long bytes) {
    }

    /**
     * Arenas made on first need, one per hash running at once, up to a limit (one per processor,
     * at most 8, by default: hashing is CPU-bound, so more would not finish sooner). A hash beyond the limit
     * waits for an arena rather than mapping fresh memory: it finishes about as soon (the CPU is
     * busy anyway, and the fresh memory costs more CPU to fault in), and a flood of logins cannot
     * map more than limit x cost. Every arena is as large as the largest reserved cost; a
     * smaller one returned after a larger reservation is unmapped. Waiters are served in the
     * order they came (a monitor's notify is not fair: at 8 clients on 2 arenas the slowest
     * login waited 2.2 s while the median took 0.18 s).
     */
    static final class Arenas {
        private final Deque<Arena> idle = new ArrayDeque<>();
        private final Deque<Object> waiting = new ArrayDeque<>();
        private int limit;
        private int open;
        private long bytes;

        Arenas(int limit) {
            this.limit = limit;
        }

        synchronized int waiting() {
            return waiting.size();
        }

        synchronized int limit() {
            return limit;
        }

        synchronized void limit(int newLimit) {
            limit = Math.max(0, newLimit);
            while (open > limit && !idle.isEmpty()) {
                free(idle.pop());
            }
            notifyAll();
        }

        synchronized void reserve(long newBytes) {
            bytes = Math.max(bytes, newBytes);
        }

        /**
         * An arena of at least {@code needed} octets: an idle one, a new one while under the limit,
         * else the first one given back within {@code maxWaitNanos}; null when the cost was never
         * reserved, the limit is 0, or the wait ran out.
         */
        Arena take(long needed, long maxWaitNanos) {
            long size;
            synchronized (this) {
                Object turn = new Object();
                waiting.addLast(turn); // first come, first served: a login never waits behind later ones
                try {
                    long deadline = System.nanoTime() + maxWaitNanos;
                    while (true) {
                        if (needed > bytes || limit == 0) {
                            return null;
                        }
                        if (waiting.peekFirst() == turn) {
                            while (!idle.isEmpty()) {
                                Arena a = idle.pop();
                                if (a.bytes() >= bytes) {
                                    return a;
                                }
                                free(a); // made before a larger reservation
                            }
                            if (open < limit) {
                                open++;
                                size = bytes;
                                break;
                            }
                        }
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            return null;
                        }
                        try {
                            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return null;
                        }
                    }
                } finally {
                    waiting.remove(turn);
                    notifyAll(); // the next in line may go now
                }
            }
            Pointer memory = OWN.get().mw_arena_new(size); // touching it takes a while: outside the lock
            if (memory == null) {
                synchronized (this) {
                    open--;
                    notifyAll();
                }
                return null;
            }
            return new Arena(memory, size);
        }

        synchronized void give(Arena arena) {
            if (open > limit || arena.bytes() < bytes) {
                free(arena);
            } else {
                idle.push(arena);
            }
            notifyAll();
        }

        private void free(Arena arena) {
            open--;
            OWN.get().mw_arena_free(arena.memory(), arena.bytes());
        }
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
