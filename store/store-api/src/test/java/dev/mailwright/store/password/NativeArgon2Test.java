package dev.mailwright.store.password;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The system's libsodium and libargon2, where installed, give exactly what the Java implementation gives. */
class NativeArgon2Test {

    private static final java.util.HexFormat HEX = java.util.HexFormat.of();

    @Test
    void nativeAndJavaShouldAgreeOnEveryTypeAndCost() {
        Random random = new Random(42);
        for (int i = 0; i < 12; i++) {
            int type = i % 3; // d, i, id
            char[] password = ("pässwörd-" + random.nextInt()).repeat(1 + i % 3).toCharArray();
            byte[] salt = new byte[i % 2 == 0 ? 16 : 8 + random.nextInt(25)];
            random.nextBytes(salt);
            int lanes = 1 + (i / 2) % 2;
            int memory = 8 * lanes * (1 + random.nextInt(64));
            int iterations = (type == 1 ? 3 : 1) + random.nextInt(3); // libsodium's Argon2i needs 3
            int length = 16 + random.nextInt(33);
            byte[] expected = PasswordHashing.javaArgon2(type, password, salt, memory, iterations, lanes, length);
            byte[] utf8 = new String(password).getBytes(UTF_8);
            boolean sodiumTakes = NativeArgon2.libraries().contains("libsodium") && type != 0 && lanes == 1
                    && salt.length == 16;
            assertThat(NativeArgon2.sodium(type, utf8, salt, memory, iterations, lanes, length).map(HEX::formatHex))
                    .as("libsodium, case %d", i).isEqualTo(sodiumTakes ? Optional.of(HEX.formatHex(expected)) : Optional.empty());
            boolean argon2Takes = NativeArgon2.libraries().contains("libargon2");
            assertThat(NativeArgon2.argon2(type, utf8, salt, memory, iterations, lanes, length).map(HEX::formatHex))
                    .as("libargon2, case %d", i).isEqualTo(argon2Takes ? Optional.of(HEX.formatHex(expected)) : Optional.empty());
        }
    }

    @Test
    void parametersTheLibraryRefusesShouldFallBackToJava() {
        assertThat(NativeArgon2.hash(2, "pw".getBytes(UTF_8), new byte[4], 64, 1, 1, 32)).as("salt under 8 octets")
                .isEmpty();
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(64, 1, 1), new SecureRandom());
        // a PHC hash with a 4-octet salt, made by the Java implementation
        byte[] salt = {1, 2, 3, 4};
        byte[] raw = PasswordHashing.javaArgon2(2, "secret".toCharArray(), salt, 64, 1, 1, 32);
        java.util.Base64.Encoder b64 = java.util.Base64.getEncoder().withoutPadding();
        String phc = "$argon2id$v=19$m=64,t=1,p=1$" + b64.encodeToString(salt) + "$" + b64.encodeToString(raw);
        assertThat(hashing.verify("secret".toCharArray(), phc)).isTrue();
        assertThat(hashing.verify("Secret".toCharArray(), phc)).isFalse();
    }

    /** JNA unpacks its own native part into user.home/.cache or java.io.tmpdir; a service may have neither writable. */
    @Test
    void withoutAWritableDirectoryForJnaHashingStillWorksInJava() throws Exception {
        java.nio.file.Path unwritable = java.nio.file.Path.of("/proc/no-such-directory");
        String javaCommand = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaCommand, "-Duser.home=" + unwritable, "-Djava.io.tmpdir=" + unwritable,
                "-Djna.nosys=true", "-cp", System.getProperty("java.class.path"),
                HashInAnotherJvm.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD).start(); // JNA warns there
        String output = new String(child.getInputStream().readAllBytes(), UTF_8);
        assertThat(child.waitFor()).as(output).isZero();
        assertThat(output.lines().toList()).containsExactly("BouncyCastle", "true");
    }

    @Test
    void theSystemLibraryShouldBeUsedWhereItIsInstalled() {
        for (String[] lib : new String[][] {{"libsodium", "libsodium.so.23"}, {"libargon2", "libargon2.so.1"}}) {
            boolean installed = java.util.stream.Stream.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
                    "/usr/lib64", "/usr/lib").anyMatch(d -> java.nio.file.Files.exists(java.nio.file.Path.of(d, lib[1])));
            if (installed) {
                assertThat(NativeArgon2.libraries()).as(lib[1] + " is installed").contains(lib[0]);
            }
        }
        assertThat(PasswordHashing.argon2Implementation()).endsWith("BouncyCastle")
                .startsWith(String.join(", ", NativeArgon2.libraries()));
    }
}
