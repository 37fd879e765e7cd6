package dev.mailwright.password;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a SCRAM-SHA-256 server (RFC 5802, RFC 7677) keeps of a password: the salt, the
 * iteration count, StoredKey and ServerKey. The password itself cannot be recovered from it.
 * The iteration count is at most {@link CostCaps#PBKDF2_ITERATIONS}: the client computes it
 * for every login, and so does the server whenever it derives the keys.
 */
public record ScramCredentials(byte[] salt, int iterations, byte[] storedKey, byte[] serverKey) {

    /**
     * The fewest iterations a deployment may turn SCRAM on with (OWASP's 2023 figure for
     * PBKDF2-HMAC-SHA256): a leaked verifier is then about as slow to crack as the Argon2id hash
     * stored beside it. RFC 7677's 4096 (and our earlier 10,000) cracked ~50 times faster. ADR 0029.
     */
    public static final int MIN_ITERATIONS = 600_000;

    public ScramCredentials {
        if (iterations < 1 || iterations > CostCaps.PBKDF2_ITERATIONS) {
            throw new IllegalArgumentException(CostCaps.pbkdf2(iterations, "SCRAM")
                    .orElse("SCRAM iterations must be at least 1"));
        }
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    public static ScramCredentials derive(char[] password, SecureRandom random, int iterations) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        return derive(password, salt, iterations);
    }

    /**
     * What SCRAM shows for a name without usable keys: a salt and keys derived from {@code secret}
     * and the lower-case name, so the server-first message is the same at every attempt, on every
     * node sharing the secret and after a restart, as a real user's is; no password matches it.
     */
    public static ScramCredentials standIn(byte[] secret, String username, int iterations) {
        byte[] mac = hmac(secret, username.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
        byte[] key = sha256(mac);
        return new ScramCredentials(java.util.Arrays.copyOf(mac, 16), iterations, key, key);
    }

    public static ScramCredentials derive(char[] password, byte[] salt, int iterations) {
        byte[] salted = saltedPassword(password, salt, iterations);
        byte[] clientKey = hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = sha256(clientKey);
        byte[] serverKey = hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramCredentials(salt, iterations, storedKey, serverKey);
    }

    /** SaltedPassword := Hi(Normalize(password), salt, i), PBKDF2 with HMAC-SHA-256. */
    public static byte[] saltedPassword(char[] password, byte[] salt, int iterations) {
        try {
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
            return f.generateSecret(new PBEKeySpec(password, salt, iterations, 256)).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 missing from the JDK", e);
        }
    }

    public static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 missing from the JDK", e);
        }
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Serialised for storage: {@code iterations$salt$storedKey$serverKey}, base64. */
    public String encode() {
        Base64.Encoder b = Base64.getEncoder();
        return iterations + "$" + b.encodeToString(salt) + "$" + b.encodeToString(storedKey) + "$"
                + b.encodeToString(serverKey);
    }

    /**
     * {@link #decode} for what a store read back: empty when it is malformed or over the cap of
     * iterations (the login then fails as for a user without SCRAM keys).
     */
    public static Optional<ScramCredentials> fromStorage(String encoded) {
        try {
            return Optional.of(decode(encoded));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** @throws IllegalArgumentException for a malformed encoding or iterations over the cap */
    public static ScramCredentials decode(String encoded) {
        String[] p = encoded.split("\\$");
        if (p.length != 4) {
            throw new IllegalArgumentException("not a SCRAM credential");
        }
        Base64.Decoder d = Base64.getDecoder();
        return new ScramCredentials(d.decode(p[1]), Integer.parseInt(p[0]), d.decode(p[2]), d.decode(p[3]));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredentials s && iterations == s.iterations
                && MessageDigest.isEqual(salt, s.salt) && MessageDigest.isEqual(storedKey, s.storedKey)
                && MessageDigest.isEqual(serverKey, s.serverKey);
    }

    @Override
    public int hashCode() {
        return encode().hashCode();
    }

    @Override
    public String toString() {
        return "ScramCredentials[iterations=" + iterations + "]";
    }
}
