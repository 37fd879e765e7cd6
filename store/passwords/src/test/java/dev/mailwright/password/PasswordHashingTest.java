package dev.mailwright.password;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Hashes made by other tools (the argon2 reference CLI, glibc crypt(3), Python's hashlib in
 * Dovecot's formats) must verify, and only with the right password.
 */
class PasswordHashingTest {

    private final PasswordHashing hashing =
            new PasswordHashing(new PasswordHashing.Argon2Cost(1024, 1, 1), new SecureRandom());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ARGON2ID   | pw-argon2     | {ARGON2ID}$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
        "ARGON2I    | password      | $argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "SHA512-CRYPT | pw-sha512   | {SHA512-CRYPT}$6$saltsaltsalt$k4nwCvvvLdcJJurhxrP379bGtpkM.obZBi2HRJRwRK3ht/YJDNVjG8qq76iCgRvfKG/yVRmsby5JmvDOrx/0Q1",
        "SHA256-CRYPT | pw-sha256   | {SHA256-CRYPT}$5$rounds=5000$saltysalt$JScZb3DqAvj68NYjq9vyHPDUaHRyK.2BqaQg.dlrDW5",
        "MD5-CRYPT  | pw-md5        | {CRYPT}$1$saltsalt$AJwDIrlvWUF2iKSOOX4fZ0",
        "BLF-CRYPT  | pw-bcrypt     | {BLF-CRYPT}$2b$05$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG",
        "SSHA512    | pw-ssha512    | {SSHA512}NbKCvzR+cU2SJbuBPuQQKufaGsi3iTuBTG/i/dd0gJbpafdK04CC47S7fNSbZjSdHtXGZmFfpNHTa0ZM6/6GqjhieXRlc2Fs",
        "SSHA256    | pw-ssha256    | {SSHA256}1AoYQnMC73gQuL+WaPhAzoNSN8aQXxWK/+JXkDWhoCc4Ynl0ZXNhbA==",
        "SHA512     | pw-sha512plain | {SHA512}o+CnsfHBinFv6fqBXykJMWP8vaEKlmnf6LIjmUP0/GULEq5oCkmk/2M9Uq6nPyx7AaX1FCXCpYOwNSzWNfpGoA==",
        "PBKDF2     | pw-pbkdf2     | {PBKDF2}$1$AbCdEfGhIjKlMnOp$5000$c9031826a774614e043ea3e5dc8375c48efbcb51",
        "PLAIN      | pw-plain      | {PLAIN}pw-plain",
        // made by Dovecot 2.3's doveadm pw (admin-cli's dovecot-fixture passwd file)
        "SCRAM-SHA-256 | mia-secret-13 | {SCRAM-SHA-256}4096,gSz1rE8zfd4XuhgCP9puWQ==,jPLMSUbON6u9KRa+Lvp2OOlTqkCWC+an3IwPq1K13QQ=,UY2JwMT+6xnxIxsc9BUT5Rhn/2H9Ljf73mh67IpWyTI=",
        "SCRAM-SHA-1 | paul-secret-16 | {SCRAM-SHA-1}4096,rcBcrgfD23iksA+vkIBSbg==,zwimYs57tTdympwkLGAQfDQ+4jQ=,wYF16rIi/jDFnjK2UR5BssXeWHc=",
        "CRAM-MD5   | noah-secret-14 | {CRAM-MD5}acf62bc3fed8c15f0b3aa3a815dbee89694947342123c5fcc86472abf357cce9",
        "PLAIN-MD5  | quin-secret-17 | {PLAIN-MD5}c015a2c874d769d95da883cfc0f9c8d5",
    })
    void hashesFromOtherToolsVerifyOnlyWithTheRightPassword(String scheme, String password, String stored) {
        assertThat(PasswordHashing.isSupported(stored)).isTrue();
        assertThat(hashing.verify(password.toCharArray(), stored)).isTrue();
        assertThat(hashing.verify((password + "x").toCharArray(), stored)).isFalse();
        assertThat(hashing.verify(new char[0], stored)).isFalse();
        assertThat(hashing.needsRehash(stored)).isTrue();
    }

    @Test
    void hashingForTestsVerifiesWhatItHashedAndEveryOtherScheme() {
        PasswordHashing cheap = PasswordHashing.forTests();
        String stored = cheap.hash("secret".toCharArray());
        assertThat(stored).startsWith("{SSHA256}");
        assertThat(cheap.hash("secret".toCharArray())).as("salted").isNotEqualTo(stored);
        assertThat(cheap.verify("secret".toCharArray(), stored)).isTrue();
        assertThat(cheap.verify("Secret".toCharArray(), stored)).isFalse();
        assertThat(cheap.needsRehash(stored)).isFalse();
        String argon2 = new PasswordHashing(new PasswordHashing.Argon2Cost(8, 1, 1), new java.security.SecureRandom())
                .hash("secret".toCharArray());
        assertThat(cheap.verify("secret".toCharArray(), argon2)).as("an Argon2id hash still verifies").isTrue();
        assertThat(cheap.needsRehash(argon2)).isTrue();
    }

    @Test
    void defaultHashIsArgon2idInPhcFormAndSaltedPerCall() {
        String a = hashing.hash("correct horse".toCharArray());
        String b = hashing.hash("correct horse".toCharArray());
        assertThat(a).startsWith("$argon2id$v=19$m=1024,t=1,p=1$").isNotEqualTo(b);
        assertThat(hashing.verify("correct horse".toCharArray(), a)).isTrue();
        assertThat(hashing.verify("correct horsE".toCharArray(), a)).isFalse();
        assertThat(hashing.needsRehash(a)).isFalse();
        assertThat(new PasswordHashing().needsRehash(a)).isTrue();
    }

    @Test
    void unknownOrMalformedHashesNeverMatch() {
        for (String bad : new String[] {"{MD4}abc", "{SSHA512}!!notbase64", "$argon2id$v=19$m=x$a$b", "{PBKDF2}$1$s$-5$00",
                "{ARGON2ID}$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "{unterminated", "", "$9$x"}) {
            assertThat(hashing.verify("anything".toCharArray(), bad)).as(bad).isFalse();
        }
        assertThat(PasswordHashing.isSupported("{MD4}abc")).isFalse();
    }

    @Test
    void rehashIsNeededForEveryOtherCostAndSchemeAndTheNewHashVerifies() {
        String old = new PasswordHashing(new PasswordHashing.Argon2Cost(512, 1, 1), new SecureRandom())
                .hash("pw".toCharArray());
        assertThat(hashing.needsRehash(old)).isTrue();
        assertThat(hashing.verify("pw".toCharArray(), old)).as("an older cost still verifies").isTrue();
        String upgraded = hashing.hash("pw".toCharArray());
        assertThat(hashing.needsRehash(upgraded)).isFalse();
        assertThat(hashing.verify("pw".toCharArray(), upgraded)).isTrue();
    }

    @Test
    void theDummyVerificationDoesTheWorkOfOneHashAtTheConfiguredCost() {
        int[] calls = {0};
        int[] memory = {0};
        Argon2 counting = new Argon2() {
            @Override
            public String name() {
                return "counting";
            }

            @Override
            public java.util.Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib,
                                                   int iterations, int parallelism, int length) {
                calls[0]++;
                memory[0] = memoryKib;
                return Argon2.java().hash(type, password, salt, memoryKib, iterations, parallelism, length);
            }
        };
        PasswordHashing h = new PasswordHashing(new PasswordHashing.Argon2Cost(2048, 1, 1), new SecureRandom(),
                counting, new HashLimit(1, 1 << 20, java.time.Duration.ofSeconds(30)));
        calls[0] = 0;
        assertThat(h.verifyDummy("guess".toCharArray())).isFalse();
        assertThat(calls[0]).as("one Argon2 hash, as for a real user").isEqualTo(1);
        assertThat(memory[0]).isEqualTo(2048);
    }

    @Test
    void costsOverTheCapsCannotBeConfigured() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PasswordHashing.Argon2Cost(256 * 1024 + 1, 1, 1))
                .hasMessageContaining("cap");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PasswordHashing.Argon2Cost(19_456, 11, 1))
                .hasMessageContaining("cap");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new PasswordHashing.Argon2Cost(19_456, 2, 9))
                .hasMessageContaining("cap");
    }

    @Test
    void scramCredentialsFollowRfc7677() {
        // RFC 7677 section 3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, i=4096
        byte[] salt = java.util.Base64.getDecoder().decode("W22ZaJ0SNY7soEsUEjb6gQ==");
        ScramCredentials c = ScramCredentials.derive("pencil".toCharArray(), salt, 4096);
        // ServerSignature in the RFC's example is HMAC(ServerKey, AuthMessage); check ServerKey through it
        String authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                + "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        byte[] serverSignature = ScramCredentials.hmac(c.serverKey(), authMessage.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(java.util.Base64.getEncoder().encodeToString(serverSignature))
                .isEqualTo("6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
        assertThat(ScramCredentials.decode(c.encode())).isEqualTo(c);
    }

    @Test
    void aWrongPasswordForAnyImportedHashCostsAtLeastWhatAnUnknownUserCosts() {
        long before = hashing.argon2Computations.get();
        hashing.verifyDummy("guess".toCharArray());
        long unknownUser = hashing.argon2Computations.get() - before;
        assertThat(unknownUser).isEqualTo(1);
        for (String quick : new String[] {"{PLAIN}pw-plain", "{CRYPT}$1$saltsalt$AJwDIrlvWUF2iKSOOX4fZ0",
                "{SHA512}o+CnsfHBinFv6fqBXykJMWP8vaEKlmnf6LIjmUP0/GULEq5oCkmk/2M9Uq6nPyx7AaX1FCXCpYOwNSzWNfpGoA==",
                "{MD4}unknown-scheme", "{SSHA512}!!malformed",
                // not quick, but quicker than the dummy at the default cost (4 ms against 66 for SHA512-CRYPT)
                "{SHA512-CRYPT}$6$saltsaltsalt$k4nwCvvvLdcJJurhxrP379bGtpkM.obZBi2HRJRwRK3ht/YJDNVjG8qq76iCgRvfKG/yVRmsby5JmvDOrx/0Q1",
                "{BLF-CRYPT}$2b$05$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG",
                "{PBKDF2}$1$AbCdEfGhIjKlMnOp$5000$c9031826a774614e043ea3e5dc8375c48efbcb51"}) {
            long start = hashing.argon2Computations.get();
            assertThat(hashing.verify("guess".toCharArray(), quick)).isFalse();
            assertThat(hashing.argon2Computations.get() - start).as(quick).isEqualTo(unknownUser);
        }
        String ours = hashing.hash("pw".toCharArray());
        long own = hashing.argon2Computations.get();
        assertThat(hashing.verify("guess".toCharArray(), ours)).isFalse();
        assertThat(hashing.argon2Computations.get() - own).as("a default hash: its own Argon2").isEqualTo(unknownUser);
        long start = hashing.argon2Computations.get();
        assertThat(hashing.verify("pw-plain".toCharArray(), "{PLAIN}pw-plain")).isTrue();
        assertThat(hashing.argon2Computations.get() - start).as("a right password costs nothing more").isZero();
    }

    @Test
    void scramIsOffUnlessTurnedOnAndThenKeepsNoVerifierBelow600000Iterations() {
        assertThat(hashing.scramEnabled()).isFalse();
        assertThat(hashing.scram("pw".toCharArray())).as("off: no verifier to store").isEmpty();
        String old = ScramCredentials.derive("pw".toCharArray(), new SecureRandom(), 10_000).encode();
        assertThat(hashing.usableScram(old)).isEmpty();
        assertThat(hashing.scramOutdated(old)).as("off: an old verifier goes at the next login").isTrue();
        assertThat(hashing.scramOutdated(null)).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> hashing.withScram(10_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("600000");

        PasswordHashing on = hashing.withScram(ScramCredentials.MIN_ITERATIONS);
        ScramCredentials made = on.scram("pw".toCharArray()).orElseThrow();
        assertThat(made.iterations()).isEqualTo(600_000);
        assertThat(on.usableScram(made.encode())).contains(made);
        assertThat(on.scramOutdated(made.encode())).isFalse();
        assertThat(on.usableScram(old)).as("the 10,000-iteration verifiers of earlier builds are not used").isEmpty();
        assertThat(on.scramOutdated(old)).as("and are replaced at the next password login").isTrue();
        assertThat(on.scramOutdated(null)).isTrue();
    }

    @Test
    void theScramStandInIsTheSameForTheSameSecretAndNameWhateverTheCase() {
        PasswordHashing on = hashing.withScram(600_000);
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        ScramCredentials a = on.scramStandIn(secret.clone(), "Nobody@example.org");
        assertThat(on.scramStandIn(secret, "nobody@example.org")).isEqualTo(a);
        assertThat(a.iterations()).as("the same i= as a real user's").isEqualTo(600_000);
        byte[] other = secret.clone();
        other[0] ^= 1;
        assertThat(on.scramStandIn(other, "nobody@example.org").salt()).isNotEqualTo(a.salt());
    }
}
