package dev.mailwright.store.password;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * Password hashes: Argon2id in PHC string form by default, and verification of the hashes
 * other servers leave behind, in Dovecot's {@code {SCHEME}} form or bare.
 *
 * <p>Verified schemes: ARGON2ID and ARGON2I (PHC), BLF-CRYPT (bcrypt {@code $2a$/$2b$/$2y$}),
 * SHA512-CRYPT ({@code $6$}), SHA256-CRYPT ({@code $5$}), MD5-CRYPT ({@code $1$}), SSHA512,
 * SSHA256, SSHA, SHA512, SHA256, SHA, PBKDF2 (Dovecot's {@code $1$salt$rounds$hex}, SHA-1),
 * PLAIN and CLEARTEXT. A successful login with anything but the current default should be
 * followed by {@link #hash(char[])} to upgrade the stored hash ({@link #needsRehash(String)}).
 */
public final class PasswordHashing {

    /** Argon2id parameters: memory in KiB, iterations, lanes. */
    public record Argon2Cost(int memoryKib, int iterations, int parallelism) {
        /** OWASP's recommended minimum for Argon2id (2023): 19 MiB, 2 iterations, 1 lane. */
        public static final Argon2Cost DEFAULT = new Argon2Cost(19_456, 2, 1);
    }

    private static final Base64.Encoder B64_NOPAD = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64 = Base64.getDecoder();

    private final Argon2Cost cost;
    private final SecureRandom random;
    private final String dummyHash;

    public PasswordHashing() {
        this(Argon2Cost.DEFAULT, new SecureRandom());
    }

    public PasswordHashing(Argon2Cost cost, SecureRandom random) {
        this.cost = cost;
        this.random = random;
        NativeArgon2.reserve(cost.memoryKib());
        this.dummyHash = hash("not a real password".toCharArray());
    }

    /**
     * How many Argon2 arenas (memory kept between hashes, each as large as the largest cost of a
     * {@code PasswordHashing} made in this process) may be held at once; 0 maps fresh memory for
     * every hash. {@link #defaultArgon2Arenas()} by default. Process-wide, like the memory it governs.
     */
    public static void argon2Arenas(int limit) {
        NativeArgon2.arenaLimit(limit);
    }

    /** One arena per processor, at most 8 (so a large machine does not hold 32 x the cost after a burst of logins). */
    public static int defaultArgon2Arenas() {
        return Math.min(8, Runtime.getRuntime().availableProcessors()); // not NativeArgon2's: reading config loads no library
    }

    public Argon2Cost cost() {
        return cost;
    }

    /** Which Argon2 implementations hash, for the log: the native libraries in order of use, then BouncyCastle's Java. */
    public static String argon2Implementation() {
        List<String> names = new java.util.ArrayList<>(NativeArgon2.libraries());
        names.add("BouncyCastle");
        return String.join(", ", names);
    }

    public SecureRandom random() {
        return random;
    }

    /** Hashes with the default scheme: {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}. */
    public String hash(char[] password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        byte[] out = argon2(Argon2Parameters.ARGON2_id, password, salt, cost.memoryKib(), cost.iterations(),
                cost.parallelism(), 32);
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                + "$" + B64_NOPAD.encodeToString(salt) + "$" + B64_NOPAD.encodeToString(out);
    }

    /** Does the same work as verifying a real hash, and fails: for unknown users. */
    public boolean verifyDummy(char[] password) {
        verify(password, dummyHash);
        return false;
    }

    /** True when {@code stored} is not a default-scheme hash with the current cost. */
    public boolean needsRehash(String stored) {
        String prefix = "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p="
                + cost.parallelism() + "$";
        return !stored.startsWith(prefix);
    }

    /** Whether the stored hash is in a form this class can verify. */
    public static boolean isSupported(String stored) {
        try {
            return scheme(stored) != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Verifies a password against a stored hash of any supported scheme, in constant time for the scheme. */
    public boolean verify(char[] password, String stored) {
        if (stored == null || password == null) {
            return false;
        }
        String scheme;
        try {
            scheme = scheme(stored);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (scheme == null) {
            return false;
        }
        String body = stripScheme(stored);
        try {
            return switch (scheme) {
                case "ARGON2ID", "ARGON2I" -> verifyArgon2(password, body);
                case "BLF-CRYPT" -> OpenBSDBCrypt.checkPassword(body, password);
                case "SHA512-CRYPT" -> constantEquals(Sha2Crypt.sha512Crypt(utf8(password), body), body);
                case "SHA256-CRYPT" -> constantEquals(Sha2Crypt.sha256Crypt(utf8(password), body), body);
                case "MD5-CRYPT" -> constantEquals(Md5Crypt.md5Crypt(utf8(password), body), body);
                case "SSHA512" -> verifySalted(password, body, "SHA-512", 64);
                case "SSHA256" -> verifySalted(password, body, "SHA-256", 32);
                case "SSHA" -> verifySalted(password, body, "SHA-1", 20);
                case "SHA512" -> verifyPlainDigest(password, body, "SHA-512");
                case "SHA256" -> verifyPlainDigest(password, body, "SHA-256");
                case "SHA" -> verifyPlainDigest(password, body, "SHA-1");
                case "PBKDF2" -> verifyDovecotPbkdf2(password, body);
                case "PLAIN", "CLEARTEXT" -> constantEquals(new String(password), body);
                default -> false;
            };
        } catch (RuntimeException e) {
            return false; // a malformed stored hash never matches
        }
    }

    /** The scheme of a stored hash, upper case, or null if unknown. */
    static String scheme(String stored) {
        if (stored.startsWith("{")) {
            int end = stored.indexOf('}');
            if (end < 0) {
                throw new IllegalArgumentException("unterminated scheme");
            }
            String s = stored.substring(1, end).toUpperCase(Locale.ROOT);
            if (s.endsWith(".B64") || s.endsWith(".BASE64")) {
                return null;
            }
            return switch (s) {
                case "ARGON2ID", "ARGON2I", "BLF-CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "MD5-CRYPT", "SSHA512",
                        "SSHA256", "SSHA", "SHA512", "SHA256", "SHA", "SHA1", "PBKDF2", "PLAIN", "CLEARTEXT" ->
                        s.equals("SHA1") ? "SHA" : s;
                case "CRYPT" -> bareScheme(stored.substring(end + 1));
                default -> null;
            };
        }
        return bareScheme(stored);
    }

    private static String bareScheme(String stored) {
        if (stored.startsWith("$argon2id$")) {
            return "ARGON2ID";
        }
        if (stored.startsWith("$argon2i$")) {
            return "ARGON2I";
        }
        if (stored.startsWith("$2a$") || stored.startsWith("$2b$") || stored.startsWith("$2y$")) {
            return "BLF-CRYPT";
        }
        if (stored.startsWith("$6$")) {
            return "SHA512-CRYPT";
        }
        if (stored.startsWith("$5$")) {
            return "SHA256-CRYPT";
        }
        if (stored.startsWith("$1$")) {
            return "MD5-CRYPT";
        }
        return null;
    }

    private static String stripScheme(String stored) {
        return stored.startsWith("{") ? stored.substring(stored.indexOf('}') + 1) : stored;
    }

    private static boolean verifyArgon2(char[] password, String phc) {
        // $argon2id$v=19$m=65536,t=3,p=1$salt$hash
        String[] p = phc.split("\\$");
        if (p.length != 6 || !p[2].startsWith("v=")) {
            return false;
        }
        int type = p[1].equals("argon2id") ? Argon2Parameters.ARGON2_id
                : p[1].equals("argon2i") ? Argon2Parameters.ARGON2_i : -1;
        if (type < 0) {
            return false;
        }
        int m = 0;
        int t = 0;
        int par = 0;
        for (String kv : p[3].split(",")) {
            String[] pair = kv.split("=", 2);
            int v = Integer.parseInt(pair[1]);
            switch (pair[0]) {
                case "m" -> m = v;
                case "t" -> t = v;
                case "p" -> par = v;
                default -> { }
            }
        }
        if (m <= 0 || t <= 0 || par <= 0 || m > 4 * 1024 * 1024 || t > 64 || par > 64) {
            return false;
        }
        byte[] salt = B64.decode(pad(p[4]));
        byte[] expected = B64.decode(pad(p[5]));
        byte[] actual = argon2(type, password, salt, m, t, par, expected.length);
        return MessageDigest.isEqual(expected, actual);
    }

    private static byte[] argon2(int type, char[] password, byte[] salt, int m, int t, int p, int length) {
        if (NativeArgon2.available()) {
            byte[] pw = utf8(password);
            try {
                Optional<byte[]> hash = NativeArgon2.hash(type, pw, salt, m, t, p, length);
                if (hash.isPresent()) {
                    return hash.get();
                }
            } finally {
                Arrays.fill(pw, (byte) 0);
            }
        }
        return javaArgon2(type, password, salt, m, t, p, length);
    }

    /** BouncyCastle's Argon2: where the system has no libargon2, and to check the two agree. */
    static byte[] javaArgon2(int type, char[] password, byte[] salt, int m, int t, int p, int length) {
        Argon2Parameters params = new Argon2Parameters.Builder(type)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(m).withIterations(t).withParallelism(p).build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[length];
        byte[] pw = utf8(password);
        try {
            gen.generateBytes(pw, out);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
        return out;
    }

    private static boolean verifySalted(char[] password, String b64, String algorithm, int digestLength) {
        byte[] decoded = B64.decode(b64.trim());
        if (decoded.length <= digestLength) {
            return false;
        }
        byte[] expected = Arrays.copyOfRange(decoded, 0, digestLength);
        byte[] salt = Arrays.copyOfRange(decoded, digestLength, decoded.length);
        MessageDigest md = digest(algorithm);
        md.update(utf8(password));
        md.update(salt);
        return MessageDigest.isEqual(expected, md.digest());
    }

    private static boolean verifyPlainDigest(char[] password, String encoded, String algorithm) {
        byte[] actual = digest(algorithm).digest(utf8(password));
        String e = encoded.trim();
        byte[] expected = e.length() == actual.length * 2 && e.chars().allMatch(c -> Character.digit(c, 16) >= 0)
                ? HexFormat.of().parseHex(e) : B64.decode(e);
        return MessageDigest.isEqual(expected, actual);
    }

    /** Dovecot: {@code $1$<salt>$<rounds>$<hex of PBKDF2-HMAC-SHA1(password, salt, rounds, 20)>}. */
    private static boolean verifyDovecotPbkdf2(char[] password, String body) {
        String[] p = body.split("\\$");
        if (p.length != 5 || !p[1].equals("1")) {
            return false;
        }
        byte[] salt = p[2].getBytes(StandardCharsets.UTF_8);
        int rounds = Integer.parseInt(p[3]);
        if (rounds <= 0 || rounds > 10_000_000) {
            return false;
        }
        byte[] expected = HexFormat.of().parseHex(p[4].toLowerCase(Locale.ROOT));
        try {
            javax.crypto.SecretKeyFactory f = javax.crypto.SecretKeyFactory.getInstance("PBKDF2WithHmacSHA1");
            byte[] actual = f.generateSecret(new javax.crypto.spec.PBEKeySpec(password, salt, rounds,
                    expected.length * 8)).getEncoded();
            return MessageDigest.isEqual(expected, actual);
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm + " missing from the JDK", e);
        }
    }

    private static boolean constantEquals(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] utf8(char[] chars) {
        ByteBuffer bb = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
        byte[] out = new byte[bb.remaining()];
        bb.get(out);
        return out;
    }

    private static String pad(String b64) {
        int rem = b64.length() % 4;
        return rem == 0 ? b64 : b64 + "=".repeat(4 - rem);
    }
}
