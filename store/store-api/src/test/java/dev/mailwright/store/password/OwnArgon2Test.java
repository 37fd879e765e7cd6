package dev.mailwright.store.password;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Memory;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mailwright's Argon2 ({@code src/main/c/mailwright_argon2.c}): RFC 9106's test vectors, the
 * same output as BouncyCastle for every type and cost, the arena pool, and memory left zeroed.
 */
class OwnArgon2Test {

    private static final HexFormat HEX = HexFormat.of();

    @BeforeAll
    static void libraryIsBuiltHere() {
        boolean bundled = NativeArgon2.class.getResource("/linux-x86-64/libmailwright-argon2.so") != null;
        if (bundled && Platform.isLinux() && Platform.is64Bit() && Platform.isIntel()) {
            assertThat(NativeArgon2.ownLibrary()).as("the library the build put in the classes loads").isPresent();
        }
        assumeTrue(NativeArgon2.ownLibrary().isPresent(), "built only on Linux x86-64 with a C compiler");
    }

    /** RFC 9106 section 5: 32 octets 0x01, salt 16 x 0x02, secret 8 x 0x03, data 12 x 0x04; m=32, t=3, p=4. */
    @Test
    void rfc9106TestVectorsForEveryTypeAndCompressionFunction() {
        String[] tags = {
            "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb", // Argon2d
            "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8", // Argon2i
            "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", // Argon2id
        };
        NativeArgon2.reserve(32);
        for (int impl : implementations()) {
            for (int type = 0; type < 3; type++) {
                Optional<byte[]> tag = NativeArgon2.own(impl, type, filled(32, 1), filled(16, 2), filled(8, 3),
                        filled(12, 4), 32, 3, 4, 32);
                assertThat(tag.map(HEX::formatHex)).as("type %d, implementation %d", type, impl)
                        .contains(tags[type]);
            }
        }
    }

    @Test
    void sameAsBouncyCastleForEveryTypeCostAndLength() {
        Random random = new Random(7);
        NativeArgon2.reserve(8 * 4 * 70);
        for (int i = 0; i < 24; i++) {
            int type = i % 3;
            char[] password = ("pässwörd-" + random.nextInt()).repeat(i % 4).toCharArray(); // the empty one too
            byte[] salt = new byte[8 + random.nextInt(60)];
            random.nextBytes(salt);
            int lanes = 1 + random.nextInt(4);
            int memory = 8 * lanes + random.nextInt(8 * lanes * 64); // not always a multiple of 4 x lanes
            int iterations = 1 + random.nextInt(4);
            int length = 4 + random.nextInt(i % 2 == 0 ? 61 : 200); // over 64 takes the long form of H'
            String expected = HEX.formatHex(PasswordHashing.javaArgon2(type, password, salt, memory, iterations,
                    lanes, length));
            for (int impl : implementations()) {
                assertThat(NativeArgon2.own(impl, type, PasswordHashing.utf8(password), salt, new byte[0],
                        new byte[0], memory, iterations, lanes, length).map(HEX::formatHex))
                        .as("case %d: type %d m=%d t=%d p=%d length %d, implementation %d", i, type, memory,
                                iterations, lanes, length, impl)
                        .contains(expected);
            }
        }
    }

    @Test
    void parametersItCannotTakeAreRefusedNotGuessed() {
        NativeArgon2.reserve(64);
        byte[] pw = "pw".getBytes(UTF_8);
        assertThat(NativeArgon2.own(2, pw, new byte[7], 64, 1, 1, 32)).as("salt under 8 octets").isEmpty();
        assertThat(NativeArgon2.own(2, pw, new byte[16], 15, 1, 2, 32)).as("m under 8 x lanes").isEmpty();
        assertThat(NativeArgon2.own(2, pw, new byte[16], 64, 0, 1, 32)).as("no iteration").isEmpty();
        assertThat(NativeArgon2.own(2, pw, new byte[16], 64, 1, 1, 3)).as("tag under 4 octets").isEmpty();
        assertThat(NativeArgon2.own(3, pw, new byte[16], 64, 1, 1, 32)).as("no such type").isEmpty();
        assertThat(NativeArgon2.own(2, pw, new byte[16], 1 << 22, 1, 1, 32)).as("larger than any arena").isEmpty();
    }

    @Test
    void theLibraryZeroesWhatItUsedAndRefusesAnArenaTooSmall() {
        NativeArgon2.Mailwright lib = NativeArgon2.ownLibrary().orElseThrow();
        long bytes = 256 * 1024;
        Pointer arena = lib.mw_arena_new(bytes);
        try {
            arena.setMemory(0, bytes, (byte) 0x5a);
            byte[] out = new byte[32];
            try (Memory pwd = new Memory(2)) {
                pwd.write(0, "pw".getBytes(UTF_8), 0, 2);
                int rc = lib.mw_argon2_hash(arena, bytes, 0, 2, 2, 200, 1, pwd, 2, new byte[16], 16, new byte[0], 0,
                        new byte[0], 0, out, 32);
                assertThat(rc).isZero();
                byte[] used = arena.getByteArray(0, 200 * 1024);
                assertThat(used).as("blocks zeroed after the hash").containsOnly(0);
                assertThat(arena.getByteArray(200 * 1024, 1024)).as("past the blocks: untouched").containsOnly(0x5a);
                assertThat(HEX.formatHex(out)).isEqualTo(HEX.formatHex(PasswordHashing.javaArgon2(2,
                        "pw".toCharArray(), new byte[16], 200, 2, 1, 32)));

                byte[] before = out.clone();
                rc = lib.mw_argon2_hash(arena, bytes, 0, 2, 1, 260, 1, pwd, 2, new byte[16], 16, new byte[0], 0,
                        new byte[0], 0, out, 32);
                assertThat(rc).as("260 KiB (65 segments of 4 blocks) into 256 KiB").isEqualTo(-2);
                assertThat(out).as("nothing written on refusal").isEqualTo(before);
            }
        } finally {
            lib.mw_arena_free(arena, bytes);
        }
    }

    @Test
    void arenasAreReusedBoundedAndGrowWithTheReservation() {
        NativeArgon2.Arenas arenas = new NativeArgon2.Arenas(2);
        assertThat(arenas.take(1024, 0)).as("nothing reserved yet").isNull();
        arenas.reserve(64 * 1024);
        NativeArgon2.Arena a = arenas.take(64 * 1024, 0);
        NativeArgon2.Arena b = arenas.take(1024, 0);
        assertThat(a).isNotNull();
        assertThat(b).isNotNull();
        assertThat(a.memory()).isNotEqualTo(b.memory());
        assertThat(arenas.take(1024, 0)).as("at the limit").isNull();
        assertThat(arenas.take(128 * 1024, 0)).as("larger than reserved").isNull();
        arenas.give(a);
        assertThat(arenas.take(1024, 0)).as("the same memory again").isEqualTo(a);

        arenas.reserve(128 * 1024);
        arenas.give(a); // smaller than the reservation now: unmapped, and a new one made in its place
        NativeArgon2.Arena c = arenas.take(128 * 1024, 0);
        assertThat(c).isNotNull();
        assertThat(c.bytes()).isEqualTo(128 * 1024);
        assertThat(arenas.take(1024, 0)).as("b is still out: at the limit").isNull();

        arenas.limit(1);
        arenas.give(b); // over the new limit: unmapped
        assertThat(arenas.take(1024, 0)).isNull();
        arenas.give(c);
        assertThat(arenas.take(1024, 0)).isEqualTo(c);
        arenas.limit(0);
        arenas.give(c);
        assertThat(arenas.take(1024, 0)).as("turned off").isNull();
    }

    @Test
    void aHashBeyondTheLimitWaitsForAnArenaGivenBack() throws Exception {
        NativeArgon2.Arenas arenas = new NativeArgon2.Arenas(1);
        arenas.reserve(8 * 1024);
        NativeArgon2.Arena held = arenas.take(8 * 1024, 0);
        assertThat(arenas.take(8 * 1024, java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50)))
                .as("the wait runs out").isNull();
        java.util.concurrent.CompletableFuture<NativeArgon2.Arena> waiter = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> arenas.take(8 * 1024, java.util.concurrent.TimeUnit.SECONDS.toNanos(30)));
        Thread.sleep(100);
        assertThat(waiter).as("still waiting").isNotDone();
        arenas.give(held);
        assertThat(waiter.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(held);
        arenas.limit(0);
        arenas.give(held);
    }

    @Test
    void waitersAreServedInTheOrderTheyCame() throws Exception {
        NativeArgon2.Arenas arenas = new NativeArgon2.Arenas(1);
        arenas.reserve(8 * 1024);
        NativeArgon2.Arena held = arenas.take(8 * 1024, 0);
        long minute = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<NativeArgon2.Arena>> waiters = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                waiters.add(threads.submit(() -> arenas.take(8 * 1024, minute)));
                while (arenas.waiting() < i + 1) { // queued before the next one starts
                    Thread.onSpinWait();
                }
            }
            NativeArgon2.Arena arena = held;
            for (int i = 0; i < 3; i++) {
                arenas.give(arena);
                arena = waiters.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS); // times out if served out of turn
                assertThat(arena).as("waiter %d gets the arena", i).isEqualTo(held);
                for (int later = i + 1; later < 3; later++) {
                    assertThat(waiters.get(later).isDone()).as("waiter %d, behind %d, still waits", later, i).isFalse();
                }
            }
            arenas.limit(0);
            arenas.give(arena);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void concurrentHashesBeyondTheArenasAllVerify() throws Exception {
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(1024, 1, 1),
                new java.security.SecureRandom());
        List<String> stored = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            stored.add(hashing.hash(("password-" + i).toCharArray()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8); // more threads than arenas: most wait for one
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < 8; i++) {
                    int n = i;
                    results.add(pool.submit(() -> hashing.verify(("password-" + n).toCharArray(), stored.get(n))
                            && !hashing.verify(("password-" + (n + 1)).toCharArray(), stored.get(n))));
                }
            }
            for (Future<Boolean> f : results) {
                assertThat(f.get()).isTrue();
            }
        } finally {
            pool.shutdown();
        }
    }

    private static List<Integer> implementations() {
        List<Integer> impls = new ArrayList<>(List.of(NativeArgon2.IMPL_PORTABLE));
        if (NativeArgon2.ownImplementation().orElse(0) == NativeArgon2.IMPL_AVX2) {
            impls.add(NativeArgon2.IMPL_AVX2);
        }
        return impls;
    }

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
