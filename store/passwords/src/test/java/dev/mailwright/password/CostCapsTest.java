package dev.mailwright.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Every cap of {@link CostCaps}, at both points: a hash over it is refused for import with a
 * message naming the cap, and at login it fails at once without being computed (the hashes
 * over the caps here would take minutes to days, or gigabytes, if they were).
 */
class CostCapsTest {

    /** Counts Argon2 hashes: a hash over the cap must never reach one. */
    private static final class CountingArgon2 implements Argon2 {
        int calls;

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                     int parallelism, int length) {
            calls++;
            return Argon2.java().hash(type, password, salt, memoryKib, iterations, parallelism, length);
        }
    }

    private final CountingArgon2 argon2 = new CountingArgon2();
    private final PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(64, 1, 1),
            new SecureRandom(), argon2, new HashLimit(2, 1 << 20, Duration.ofSeconds(30)));

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Argon2 memory     | Argon2 memory m=262145 KiB is over the cap of 262144 KiB | {ARGON2ID}$argon2id$v=19$m=262145,t=1,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
        "Argon2 memory, bare | m=4194304 KiB is over the cap                           | $argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
        "Argon2 iterations | Argon2 iterations t=11 is over the cap of 10             | {ARGON2ID}$argon2id$v=19$m=1024,t=11,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
        "Argon2 lanes      | Argon2 lanes p=9 is over the cap of 8                    | $argon2i$v=19$m=65536,t=2,p=9$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "bcrypt            | bcrypt cost 31 is over the cap of 13                     | {BLF-CRYPT}$2b$31$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG",
        "bcrypt 14         | bcrypt cost 14 is over the cap of 13                     | $2y$14$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG",
        "SHA512-CRYPT      | crypt rounds=999999999 is over the cap of 1000000        | {SHA512-CRYPT}$6$rounds=999999999$saltsaltsalt$k4nwCvvvLdcJJurhxrP379bGtpkM.obZBi2HRJRwRK3ht/YJDNVjG8qq76iCgRvfKG/yVRmsby5JmvDOrx/0Q1",
        "SHA256-CRYPT      | crypt rounds=1000001 is over the cap of 1000000          | {CRYPT}$5$rounds=1000001$saltysalt$JScZb3DqAvj68NYjq9vyHPDUaHRyK.2BqaQg.dlrDW5",
        "PBKDF2            | PBKDF2 iterations 100000000 is over the cap of 1000000   | {PBKDF2}$1$AbCdEfGhIjKlMnOp$100000000$c9031826a774614e043ea3e5dc8375c48efbcb51",
    })
    void aHashOverTheCapIsRefusedAtImportAndFailsAtLoginWithoutItsOwnHashing(String cap, String message, String stored) {
        assertThat(PasswordHashing.refusal(stored)).as("import").hasValueSatisfying(m -> assertThat(m).contains(message));
        assertThat(PasswordHashing.isSupported(stored)).isFalse();
        argon2.calls = 0; // the constructor hashed its dummy
        long t0 = System.nanoTime();
        assertThat(hashing.verify("pw-sha512".toCharArray(), stored)).as("login").isFalse();
        assertThat(hashing.verify("pw-sha512".toCharArray(), stored)).as("again: logged only the first time").isFalse();
        // never the refused hash's own cost: each failure costs the one default-cost dummy an unknown
        // user costs, so that an account with such a hash cannot be told from none by its timing
        assertThat(argon2.calls).as("one default-cost dummy per failure, nothing more").isEqualTo(2);
        // the refused hashes above would take minutes (rounds) to days (bcrypt 31) or 4 GiB: a second is ample
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Argon2 at every cap | $argon2id$v=19$m=262144,t=10,p=8$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
        "bcrypt 13           | $2b$13$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG",
        "SHA512-CRYPT 1e6    | $6$rounds=1000000$saltsaltsalt$k4nwCvvvLdcJJurhxrP379bGtpkM.obZBi2HRJRwRK3ht/YJDNVjG8qq76iCgRvfKG/yVRmsby5JmvDOrx/0Q1",
        "PBKDF2 1e6          | {PBKDF2}$1$AbCdEfGhIjKlMnOp$1000000$c9031826a774614e043ea3e5dc8375c48efbcb51",
    })
    void aHashAtTheCapIsAccepted(String cap, String stored) {
        assertThat(PasswordHashing.refusal(stored)).isEmpty();
    }

    @Test
    void aVerifiableHashEditedOverTheCapNoLongerVerifies() {
        String stored = hashing.hash("secret".toCharArray());
        int before = argon2.calls;
        String inflated = stored.replace("m=64,t=1", "m=64,t=11");
        assertThat(hashing.verify("secret".toCharArray(), inflated)).isFalse();
        assertThat(argon2.calls).as("the unknown user's dummy only").isEqualTo(before + 1);
        assertThat(hashing.verify("secret".toCharArray(), stored)).isTrue();
    }

    @Test
    void malformedAndUnknownHashesAreRefusedWithAReason() {
        assertThat(PasswordHashing.refusal("{MD4}abc")).contains("{MD4} is not a supported password scheme");
        assertThat(PasswordHashing.refusal("$argon2id$v=19$m=x$a$b")).hasValueSatisfying(m -> assertThat(m)
                .startsWith("malformed"));
        assertThat(PasswordHashing.refusal("{PBKDF2}$1$s$-5$00")).hasValueSatisfying(m -> assertThat(m)
                .startsWith("malformed"));
        assertThat(PasswordHashing.refusal("")).isPresent();
    }

    @Test
    void scramIterationsAreCappedWhenDerivedAndWhenReadBack() {
        byte[] salt = new byte[16];
        assertThatThrownBy(() -> ScramCredentials.derive("pw".toCharArray(), salt, CostCaps.PBKDF2_ITERATIONS + 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SCRAM iterations 1000001 is over");
        String stored = ScramCredentials.derive("pw".toCharArray(), salt, 4096).encode();
        assertThat(ScramCredentials.fromStorage(stored)).isPresent();
        String inflated = "2000000" + stored.substring(stored.indexOf('$'));
        assertThat(ScramCredentials.fromStorage(inflated)).as("a stored credential over the cap is not offered").isEmpty();
        assertThat(ScramCredentials.fromStorage("not$scram")).isEmpty();
    }
}
