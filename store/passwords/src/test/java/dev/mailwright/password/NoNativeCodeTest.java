package dev.mailwright.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * What an embedder gets: hashing with the defaults loads no JNA class (so no native library,
 * and no {@code ldconfig -p} that JNA's lookup would start). Run in a JVM of its own that logs
 * every class it loads, with JNA on its class path, so a load would show.
 */
class NoNativeCodeTest {

    /** Runs {@code main} of {@code mainClass} in a fresh JVM with this test class path and class loading logged. */
    static List<String> classesLoadedBy(Class<?> mainClass, String... args) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xlog:class+load=info", "-Xshare:off", "-cp",
                System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor()).as(output).isZero();
        assertThat(output).as("the child did its work").contains("verified: true");
        return output.lines().toList();
    }

    @org.junit.jupiter.api.Test
    void hashingWithTheDefaultsLoadsNoJnaClass() throws Exception {
        assertThat(classesLoadedBy(HashWithDefaults.class)).as("JNA on the class path, never loaded")
                .noneMatch(line -> line.contains("com.sun.jna"))
                .anyMatch(line -> line.contains("org.bouncycastle.crypto.generators.Argon2BytesGenerator"));
    }

    @org.junit.jupiter.api.Test
    void theCheckSeesJnaWhenLibsodiumIsAskedFor() throws Exception {
        // the control: the same child asking for libsodium does load JNA, so the test above can fail
        assertThat(classesLoadedBy(HashWithDefaults.class, "libsodium"))
                .anyMatch(line -> line.contains("com.sun.jna.Native "));
    }

    @org.junit.jupiter.api.Test
    void hashingForTestsLoadsNoBouncyCastleClass() throws Exception {
        // BouncyCastle on the class path, never loaded: an embedder may leave it out (the control is the test above)
        assertThat(classesLoadedBy(HashForTests.class)).noneMatch(line -> line.contains("org.bouncycastle"));
    }

    /** The child: hashes and verifies with {@link PasswordHashing#forTests()}. */
    public static final class HashForTests {
        public static void main(String[] args) {
            PasswordHashing hashing = PasswordHashing.forTests();
            String stored = hashing.hash("secret".toCharArray());
            boolean ok = stored.startsWith("{SSHA256}") && hashing.verify("secret".toCharArray(), stored)
                    && !hashing.verify("x".toCharArray(), stored) && !hashing.verifyDummy("secret".toCharArray())
                    && !hashing.needsRehash(stored);
            System.out.println("verified: " + ok);
        }
    }

    /** The child: hashes and verifies with {@code new PasswordHashing()}, or first asks for libsodium. */
    public static final class HashWithDefaults {
        public static void main(String[] args) {
            if (args.length > 0) {
                Libsodium.argon2();
            }
            PasswordHashing hashing = new PasswordHashing();
            String stored = hashing.hash("secret".toCharArray());
            boolean ok = hashing.verify("secret".toCharArray(), stored) && !hashing.verify("x".toCharArray(), stored)
                    && !hashing.verifyDummy("secret".toCharArray());
            System.out.println("verified: " + ok);
        }
    }
}
