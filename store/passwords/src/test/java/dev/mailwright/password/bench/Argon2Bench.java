package dev.mailwright.password.bench;

import dev.mailwright.password.Argon2;
import dev.mailwright.password.HashLimit;
import dev.mailwright.password.Libsodium;
import dev.mailwright.password.PasswordHashing;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The figures of ADR 16: time of one Argon2id hash, BouncyCastle against libsodium, one thread,
 * after a warm-up: wall time, and CPU time of the hashing thread (BouncyCastle's garbage is
 * collected on other threads, so its CPU figure is a little low). Not a test; run by hand:
 * {@code java -cp <test classpath> dev.mailwright.password.bench.Argon2Bench [rounds]}.
 */
public final class Argon2Bench {

    /** CPU time of the hashing thread: less disturbed than wall time by other processes on a shared machine. */
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private Argon2Bench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int[][] costs = {{19_456, 2, 1}, {65_536, 2, 1}, {65_536, 3, 1}};
        HashLimit limit = new HashLimit(1, 1 << 20, Duration.ofMinutes(10));
        System.out.printf(Locale.ROOT, "%d processors, max heap %d MiB, %d rounds after 5 to warm up%n",
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, rounds);
        for (int[] c : costs) {
            PasswordHashing.Argon2Cost cost = new PasswordHashing.Argon2Cost(c[0], c[1], c[2]);
            for (Argon2 argon2 : new Argon2[] {Argon2.java(), Libsodium.argon2().orElse(null)}) {
                if (argon2 == null) {
                    System.out.println("libsodium: not installed");
                    continue;
                }
                PasswordHashing hashing = new PasswordHashing(cost, new SecureRandom(), argon2, limit);
                for (int i = 0; i < 5; i++) {
                    hashing.hash("warm-up password".toCharArray());
                }
                double[] ms = new double[rounds];
                double[] cpu = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    hashing.hash("correct horse battery staple".toCharArray());
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    cpu[i] = (THREADS.getCurrentThreadCpuTime() - c0) / 1e6;
                }
                Arrays.sort(ms);
                Arrays.sort(cpu);
                System.out.printf(Locale.ROOT, "m=%d KiB t=%d p=%d  %-16s wall median %6.1f ms (min %6.1f, p90 %6.1f);"
                        + " CPU of the hashing thread median %6.1f ms (min %6.1f)%n", c[0], c[1], c[2], argon2.name(),
                        ms[rounds / 2], ms[0], ms[(int) (rounds * 0.9)], cpu[rounds / 2], cpu[0]);
            }
        }
    }
}
