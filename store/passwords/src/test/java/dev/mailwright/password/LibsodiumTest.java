package dev.mailwright.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** libsodium's Argon2, where it is installed, gives exactly BouncyCastle's tags; elsewhere these tests skip. */
class LibsodiumTest {

    private static final HexFormat HEX = HexFormat.of();

    private static boolean installed() {
        return Stream.of("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")
                .flatMap(d -> Stream.of("libsodium.so.23", "libsodium.so.26").map(f -> Path.of(d, f)))
                .anyMatch(Files::exists);
    }

    @BeforeAll
    static void libsodiumIsHere() {
        if (installed()) {
            assertThat(Libsodium.argon2()).as("libsodium is installed, so it must load").isPresent();
        }
        assumeTrue(installed(), "libsodium is not installed here");
    }

    @Test
    void libsodiumAndBouncyCastleGiveTheSameTags() {
        Argon2 sodium = Libsodium.argon2().orElseThrow();
        assertThat(sodium.name()).startsWith("libsodium ");
        Random random = new Random(42);
        for (int i = 0; i < 10; i++) {
            int type = i % 2 == 0 ? Argon2.ARGON2_ID : Argon2.ARGON2_I;
            byte[] password = ("pässwörd-" + random.nextInt()).repeat(1 + i % 3).getBytes(StandardCharsets.UTF_8);
            byte[] salt = new byte[16];
            random.nextBytes(salt);
            int memory = 8 * (1 + random.nextInt(256));
            int iterations = 3 + random.nextInt(3); // libsodium's Argon2i needs at least 3
            int length = 16 + random.nextInt(49);
            byte[] expected = JavaArgon2.INSTANCE.tag(type, password, salt, memory, iterations, 1, length);
            assertThat(sodium.hash(type, password, salt, memory, iterations, 1, length).map(HEX::formatHex))
                    .as("case %d", i).contains(HEX.formatHex(expected));
        }
    }

    @Test
    void parametersLibsodiumDoesNotTakeAreLeftToJava() {
        Argon2 sodium = Libsodium.argon2().orElseThrow();
        byte[] pw = "pw".getBytes(StandardCharsets.UTF_8);
        assertThat(sodium.hash(Argon2.ARGON2_ID, pw, new byte[16], 64, 1, 2, 32)).as("two lanes").isEmpty();
        assertThat(sodium.hash(Argon2.ARGON2_ID, pw, new byte[8], 64, 1, 1, 32)).as("8-octet salt").isEmpty();
        assertThat(sodium.hash(0, pw, new byte[16], 64, 1, 1, 32)).as("Argon2d").isEmpty();

        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(64, 1, 1), new SecureRandom(),
                sodium, HashLimit.shared());
        // the PHC test vector of PasswordHashingTest: 4 lanes and an 8-octet salt, so BouncyCastle verifies it
        String fourLanes = "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";
        assertThat(hashing.verify("password".toCharArray(), fourLanes)).isTrue();
        assertThat(hashing.verify("passworD".toCharArray(), fourLanes)).isFalse();
    }

    @Test
    void hashesMadeByEitherVerifyWithTheOther() {
        PasswordHashing.Argon2Cost cost = new PasswordHashing.Argon2Cost(1024, 2, 1);
        PasswordHashing sodium = new PasswordHashing(cost, new SecureRandom(), Libsodium.argon2().orElseThrow(),
                HashLimit.shared());
        PasswordHashing java = new PasswordHashing(cost, new SecureRandom());
        String bySodium = sodium.hash("secret".toCharArray());
        String byJava = java.hash("secret".toCharArray());
        assertThat(java.verify("secret".toCharArray(), bySodium)).isTrue();
        assertThat(sodium.verify("secret".toCharArray(), byJava)).isTrue();
        assertThat(sodium.verify("Secret".toCharArray(), byJava)).isFalse();
        assertThat(sodium.describe()).contains("libsodium").contains("m=1024 KiB");
        assertThat(Optional.of(java.describe())).hasValueSatisfying(d -> assertThat(d).contains("by BouncyCastle;"));
    }
}
