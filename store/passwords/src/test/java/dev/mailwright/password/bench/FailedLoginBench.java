package dev.mailwright.password.bench;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.password.ScramCredentials;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The figures of ADR 29: CPU time of one failed password check per stored scheme against an
 * unknown user's, at the default Argon2id cost and BouncyCastle's Argon2 (what the failure delay
 * has to cover), and of one SCRAM key at 600,000 iterations. Median of the hashing thread's CPU
 * time after a warm-up. Not a test; run by hand:
 * {@code java -cp <test classpath> dev.mailwright.password.bench.FailedLoginBench [rounds]}.
 */
public final class FailedLoginBench {

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private FailedLoginBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        PasswordHashing hashing = new PasswordHashing();
        byte[] salt16 = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Map<String, String> stored = new LinkedHashMap<>();
        stored.put("{PLAIN}", "{PLAIN}right-password");
        stored.put("MD5-CRYPT", "$1$saltsalt$AJwDIrlvWUF2iKSOOX4fZ0");
        stored.put("ARGON2ID default", hashing.hash("right-password".toCharArray()));
        stored.put("SHA512-CRYPT rounds=5000", Sha2Crypt.sha512Crypt("right".getBytes(), "$6$saltsalt"));
        stored.put("SHA512-CRYPT rounds=1000000", Sha2Crypt.sha512Crypt("right".getBytes(), "$6$rounds=1000000$saltsalt"));
        for (int cost : new int[] {10, 12, 13}) {
            stored.put("BLF-CRYPT cost " + cost, OpenBSDBCrypt.generate("2b", "right".toCharArray(), salt16, cost));
        }
        System.out.printf(Locale.ROOT, "%d processors; median CPU ms of %d failed checks after 2 to warm up%n",
                Runtime.getRuntime().availableProcessors(), rounds);
        System.out.printf(Locale.ROOT, "%-32s %8.1f%n", "unknown user (dummy Argon2id)",
                median(rounds, () -> hashing.verifyDummy("guess".toCharArray())));
        stored.forEach((name, hash) -> System.out.printf(Locale.ROOT, "%-32s %8.1f%n", name,
                median(rounds, () -> hashing.verify("guess".toCharArray(), hash))));
        System.out.printf(Locale.ROOT, "%-32s %8.1f%n", "SCRAM key, 600000 iterations",
                median(rounds, () -> ScramCredentials.derive("guess".toCharArray(), new SecureRandom(), 600_000)));
    }

    private static double median(int rounds, Runnable check) {
        double[] ms = new double[rounds];
        for (int i = -2; i < rounds; i++) {
            long start = THREADS.getCurrentThreadCpuTime();
            check.run();
            if (i >= 0) {
                ms[i] = (THREADS.getCurrentThreadCpuTime() - start) / 1e6;
            }
        }
        Arrays.sort(ms);
        return ms[rounds / 2];
    }
}
