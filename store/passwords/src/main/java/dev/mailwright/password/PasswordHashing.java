package dev.mailwright.password;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.commons.codec.digest.Md5Crypt;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Password hashes: Argon2id in PHC string form by default, and verification of the hashes
 * other servers leave behind, in Dovecot's {@code {SCHEME}} form or bare.
 *
 * <p>Verified schemes: ARGON2ID and ARGON2I (PHC), BLF-CRYPT (bcrypt {@code $2a$/$2b$/$2y$}),
 * SHA512-CRYPT ({@code $6$}), SHA256-CRYPT ({@code $5$}), MD5-CRYPT ({@code $1$}), SSHA512,
 * SSHA256, SSHA, SHA512, SHA256, SHA, PBKDF2 (Dovecot's {@code $1$salt$rounds$hex}, SHA-1),
 * PLAIN and CLEARTEXT. A successful login with anything but the current default should be
 * followed by {@link #hash(char[])} to upgrade the stored hash ({@link #needsRehash(String)}).
 *
 * <p>A stored hash that costs more than {@link CostCaps} allows is refused by {@link
 * #refusal(String)} (importers ask it) and never computed by {@link #verify}. Every costly hash
 * waits for its turn under a {@link HashLimit}, shared by all hashings made without one.
 * Argon2 runs on the {@link Argon2} given, BouncyCastle's by default: no native code unless the
 * caller passes {@link Libsodium#argon2()}.
 */
public final class PasswordHashing {

    /** Argon2id parameters: memory in KiB, iterations, lanes; within {@link CostCaps}. */
    public record Argon2Cost(int memoryKib, int iterations, int parallelism) {
        /** OWASP's recommended minimum for Argon2id (2023): 19 MiB, 2 iterations, 1 lane. */
        public static final Argon2Cost DEFAULT = new Argon2Cost(19_456, 2, 1);

        public Argon2Cost {
            if (iterations < 1 || parallelism < 1 || memoryKib < 8 * parallelism) {
                throw new IllegalArgumentException("Argon2 needs t >= 1, p >= 1 and m >= 8p KiB");
            }
            CostCaps.argon2(memoryKib, iterations, parallelism).ifPresent(reason -> {
                throw new IllegalArgumentException(reason);
            });
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(PasswordHashing.class);
    private static final Base64.Encoder B64_NOPAD = Base64.getEncoder().withoutPadding();
    private static final Base64.Decoder B64 = Base64.getDecoder();
    /** Refusals already logged: each once (a bounded set; an attacker cannot make it grow far). */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final Argon2Cost cost;
    private final SecureRandom random;
    private final Argon2 argon2;
    private final HashLimit limit;
    private final String dummyHash;
    /** PBKDF2 iterations of the SCRAM-SHA-256 verifiers kept beside each hash; 0: none are kept. */
    private final int scramIterations;
    /** Hashes with salted SHA-256 instead of Argon2id ({@link #forTests()}). */
    private final boolean forTests;

    /** OWASP's cost, BouncyCastle's Argon2, the process's shared {@link HashLimit}. */
    public PasswordHashing() {
        this(Argon2Cost.DEFAULT, new SecureRandom());
    }

    /** BouncyCastle's Argon2, the process's shared {@link HashLimit}. */
    public PasswordHashing(Argon2Cost cost, SecureRandom random) {
        this(cost, random, Argon2.java(), HashLimit.shared());
    }

    /**
     * @param argon2 hashes Argon2 where it takes the parameters; BouncyCastle where it does not
     * @param limit what every costly hash (and verification) waits on
     */
    public PasswordHashing(Argon2Cost cost, SecureRandom random, Argon2 argon2, HashLimit limit) {
        this.cost = cost;
        this.random = random;
        this.argon2 = argon2;
        this.limit = limit;
        this.argon2Computations = new java.util.concurrent.atomic.AtomicLong();
        this.forTests = false;
        this.dummyHash = hash("not a real password".toCharArray());
        this.scramIterations = 0;
    }

    private PasswordHashing(boolean forTests) {
        this.cost = Argon2Cost.DEFAULT;
        this.random = new SecureRandom();
        this.argon2 = new Argon2() { // BouncyCastle's, loaded only if an imported Argon2 hash is verified
            @Override
            public String name() {
                return Argon2.java().name();
            }

            @Override
            public Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                         int parallelism, int length) {
                return Argon2.java().hash(type, password, salt, memoryKib, iterations, parallelism, length);
            }
        };
        this.limit = HashLimit.shared();
        this.argon2Computations = new java.util.concurrent.atomic.AtomicLong();
        this.forTests = forTests;
        this.dummyHash = hash("not a real password".toCharArray());
        this.scramIterations = 0;
    }

    /**
     * For test suites and other throwaway stores (mailwright-test): new hashes are salted SHA-256
     * ({@code {SSHA256}}), microseconds each and on the JDK alone, so that an embedder needs no
     * BouncyCastle. Never for real passwords: a leaked SHA-256 hash is cracked at GPU speed.
     * Every scheme is still verified as usual.
     */
    public static PasswordHashing forTests() {
        return new PasswordHashing(true);
    }

    private PasswordHashing(PasswordHashing base, int scramIterations) {
        this.argon2Computations = base.argon2Computations;
        this.cost = base.cost;
        this.random = base.random;
        this.argon2 = base.argon2;
        this.limit = base.limit;
        this.dummyHash = base.dummyHash;
        this.scramIterations = scramIterations;
        this.forTests = base.forTests;
    }

    /**
     * This hashing, also keeping SCRAM-SHA-256 verifiers at {@code iterations} (at least {@link
     * ScramCredentials#MIN_ITERATIONS}, at most {@link CostCaps#PBKDF2_ITERATIONS}). Without it no
     * verifier is kept and SCRAM is not offered (ADR 0029).
     */
    public PasswordHashing withScram(int iterations) {
        if (iterations < ScramCredentials.MIN_ITERATIONS || iterations > CostCaps.PBKDF2_ITERATIONS) {
            throw new IllegalArgumentException("SCRAM iterations must be from " + ScramCredentials.MIN_ITERATIONS
                    + " to " + CostCaps.PBKDF2_ITERATIONS);
        }
        return new PasswordHashing(this, iterations);
    }

    /** Whether SCRAM-SHA-256 verifiers are kept (and so SCRAM offered). */
    public boolean scramEnabled() {
        return scramIterations > 0;
    }

    /** The SCRAM-SHA-256 verifier to keep for a password being set: empty when SCRAM is off. */
    public Optional<ScramCredentials> scram(char[] password) {
        if (!scramEnabled()) {
            return Optional.empty();
        }
        try (HashLimit.Turn turn = limit.acquire(0)) {
            return Optional.of(ScramCredentials.derive(password, random, scramIterations));
        }
    }

    /**
     * The stored verifier when it may be used: SCRAM is on and it has the configured iterations.
     * Any other (the 10,000-iteration ones of earlier builds, or after the setting changed) is
     * ignored and replaced at the next password login ({@link #scramOutdated}).
     */
    public Optional<ScramCredentials> usableScram(String stored) {
        if (!scramEnabled() || stored == null) {
            return Optional.empty();
        }
        return ScramCredentials.fromStorage(stored).filter(c -> c.iterations() == scramIterations);
    }

    /** Whether the stored verifier (null: none) is to be replaced (or, SCRAM off, removed) at a password login. */
    public boolean scramOutdated(String stored) {
        return scramEnabled() ? usableScram(stored).isEmpty() : stored != null;
    }

    /** {@link ScramCredentials#standIn} at the configured iterations. */
    public ScramCredentials scramStandIn(byte[] secret, String username) {
        if (!scramEnabled()) {
            throw new IllegalStateException("SCRAM is off");
        }
        return ScramCredentials.standIn(secret, username, scramIterations);
    }

    public Argon2Cost cost() {
        return cost;
    }

    public SecureRandom random() {
        return random;
    }

    public HashLimit limit() {
        return limit;
    }

    /** For the log: cost, implementation and limit. */
    public String describe() {
        if (forTests) {
            return "salted SHA-256 (for tests only)";
        }
        String by = argon2 == Argon2.java() ? argon2.name()
                : argon2.name() + " (BouncyCastle for what it does not take)";
        return "Argon2id m=" + cost.memoryKib() + " KiB, t=" + cost.iterations() + ", p=" + cost.parallelism()
                + " by " + by + "; " + limit + "; SCRAM-SHA-256 "
                + (scramEnabled() ? "at " + scramIterations + " iterations" : "off");
    }

    /** Hashes with the default scheme: {@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}. */
    public String hash(char[] password) {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        if (forTests) {
            MessageDigest md = digest("SHA-256");
            md.update(utf8(password));
            md.update(salt);
            byte[] digest = md.digest();
            byte[] both = Arrays.copyOf(digest, digest.length + salt.length);
            System.arraycopy(salt, 0, both, digest.length, salt.length);
            return "{SSHA256}" + Base64.getEncoder().encodeToString(both);
        }
        byte[] out;
        try (HashLimit.Turn turn = limit.acquire(cost.memoryKib())) {
            out = argon2(Argon2.ARGON2_ID, password, salt, cost.memoryKib(), cost.iterations(), cost.parallelism(),
                    32);
        }
        return "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p=" + cost.parallelism()
                + "$" + B64_NOPAD.encodeToString(salt) + "$" + B64_NOPAD.encodeToString(out);
    }

    /** Does the same work as verifying a real hash of the default cost, and fails: for unknown users. */
    public boolean verifyDummy(char[] password) {
        if (forTests) {
            check("SSHA256", password, stripScheme(dummyHash)); // a quick scheme: verify() would come back here
            return false;
        }
        verify(password, dummyHash);
        return false;
    }

    /** True when {@code stored} is not a default-scheme hash with the current cost. */
    public boolean needsRehash(String stored) {
        if (forTests) {
            return !stored.startsWith("{SSHA256}");
        }
        String prefix = "$argon2id$v=19$m=" + cost.memoryKib() + ",t=" + cost.iterations() + ",p="
                + cost.parallelism() + "$";
        return !stored.startsWith(prefix);
    }

    /** Whether the stored hash is in a form this class verifies, within {@link CostCaps}. */
    public static boolean isSupported(String stored) {
        return refusal(stored).isEmpty();
    }

    /**
     * Why a stored hash cannot be carried over: an unknown scheme, a malformed hash, or a cost
     * over {@link CostCaps} ("bcrypt cost 15 is over the cap of 13"); empty when it can.
     */
    public static Optional<String> refusal(String stored) {
        if (stored == null || stored.isEmpty()) {
            return Optional.of("no password hash");
        }
        String scheme;
        try {
            scheme = scheme(stored);
        } catch (IllegalArgumentException e) {
            return Optional.of("malformed password hash: " + e.getMessage());
        }
        if (scheme == null) {
            String named = stored.startsWith("{") && stored.indexOf('}') > 0
                    ? stored.substring(0, stored.indexOf('}') + 1) : "this hash form";
            return Optional.of(named + " is not a supported password scheme");
        }
        try {
            return costRefusal(scheme, stripScheme(stored));
        } catch (RuntimeException e) {
            return Optional.of("malformed " + scheme + " hash");
        }
    }

    /**
     * Verifies a password against a stored hash of any supported scheme, in constant time for
     * the scheme. A hash over {@link CostCaps} fails at once, without hashing (logged once).
     *
     * @throws HashingBusyException when the hash waited longer than the {@link HashLimit} allows
     */
    public boolean verify(char[] password, String stored) {
        if (stored == null || password == null) {
            return false;
        }
        String scheme;
        String body;
        Optional<String> refused;
        try {
            scheme = scheme(stored);
            if (scheme == null) {
                return failedLikeAnUnknownUser(password);
            }
            body = stripScheme(stored);
            refused = costRefusal(scheme, body);
        } catch (RuntimeException e) {
            return failedLikeAnUnknownUser(password); // a malformed stored hash never matches
        }
        if (refused.isPresent()) {
            logOnce(refused.get());
            return failedLikeAnUnknownUser(password);
        }
        if (quick(scheme)) {
            // an imported {PLAIN} or MD5-CRYPT hash answers in microseconds; a wrong password for it
            // takes as long as for an unknown user, so that the time tells no account from none
            return check(scheme, password, body) || failedLikeAnUnknownUser(password);
        }
        int memoryKib = scheme.startsWith("ARGON2") ? Phc.parse(body).memoryKib() : 0;
        boolean right;
        try (HashLimit.Turn turn = limit.acquire(memoryKib)) {
            right = check(scheme, password, body);
        }
        // any other stored hash than the default at this cost pays for an unknown user's hash too when it
        // fails: a cheaper one (SHA512-CRYPT at its default 5,000 rounds takes 4 ms against 66) would tell
        // that the account exists; a costlier one is hidden by the failure delay (AuthThrottle, ADR 0029)
        if (right || !needsRehash(stored)) {
            return right;
        }
        return failedLikeAnUnknownUser(password);
    }

    private boolean check(String scheme, char[] password, String body) {
        try {
            return switch (scheme) {
                case "ARGON2ID", "ARGON2I" -> verifyArgon2(password, Phc.parse(body));
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
                case "SCRAM-SHA-256" -> verifyScram(password, body, "SHA-256", "PBKDF2WithHmacSHA256", "HmacSHA256");
                case "SCRAM-SHA-1" -> verifyScram(password, body, "SHA-1", "PBKDF2WithHmacSHA1", "HmacSHA1");
                case "CRAM-MD5" -> verifyCramMd5(password, body);
                case "PLAIN-MD5", "LDAP-MD5" -> verifyPlainDigest(password, body, "MD5");
                case "PLAIN", "CLEARTEXT" -> constantEquals(new String(password), body);
                default -> false;
            };
        } catch (RuntimeException e) {
            return false; // a malformed stored hash never matches
        }
    }

    /** The work of an unknown user's check ({@link #verifyDummy}); false. */
    private boolean failedLikeAnUnknownUser(char[] password) {
        verifyDummy(password);
        return false;
    }

    /**
     * Schemes far cheaper to check than the default hash: a failure pays for a dummy one too. The
     * others cost real work per guess, and so wait for a {@link HashLimit} turn.
     */
    private static boolean quick(String scheme) {
        return switch (scheme) {
            case "ARGON2ID", "ARGON2I", "BLF-CRYPT", "SHA512-CRYPT", "SHA256-CRYPT", "PBKDF2", "SCRAM-SHA-256",
                    "SCRAM-SHA-1" -> false;
            default -> true;
        };
    }

    /** The cost of a stored hash against {@link CostCaps}; throws on a malformed one. */
    static Optional<String> costRefusal(String scheme, String body) {
        return switch (scheme) {
            case "ARGON2ID", "ARGON2I" -> {
                Phc phc = Phc.parse(body);
                yield CostCaps.argon2(phc.memoryKib(), phc.iterations(), phc.parallelism());
            }
            case "BLF-CRYPT" -> CostCaps.bcrypt(Integer.parseInt(body.substring(4, 6)));
            case "SHA512-CRYPT", "SHA256-CRYPT" -> {
                String[] p = body.split("\\$");
                yield p.length > 2 && p[2].startsWith("rounds=")
                        ? CostCaps.cryptRounds(Long.parseLong(p[2].substring("rounds=".length()))) : Optional.empty();
            }
            case "SCRAM-SHA-256", "SCRAM-SHA-1" -> {
                long rounds = Long.parseLong(body.split(",")[0]);
                if (rounds < 1) {
                    throw new IllegalArgumentException("SCRAM iterations below 1");
                }
                yield CostCaps.pbkdf2(rounds, scheme);
            }
            case "PBKDF2" -> {
                long rounds = Long.parseLong(body.split("\\$")[3]);
                if (rounds < 1) {
                    throw new IllegalArgumentException("PBKDF2 rounds below 1");
                }
                yield CostCaps.pbkdf2(rounds, "PBKDF2");
            }
            default -> Optional.empty();
        };
    }

    private static void logOnce(String reason) {
        if (LOGGED.size() < 1_000 && LOGGED.add(reason)) {
            LOG.warn("a stored password hash is refused without hashing: {} (it must be reset; logged once)", reason);
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
                        "SSHA256", "SSHA", "SHA512", "SHA256", "SHA", "SHA1", "PBKDF2", "SCRAM-SHA-256", "SCRAM-SHA-1",
                        "CRAM-MD5", "PLAIN-MD5", "LDAP-MD5", "PLAIN", "CLEARTEXT" ->
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

    /** {@code $argon2id$v=19$m=65536,t=3,p=1$salt$hash}, parsed; throws on anything else. */
    record Phc(int type, int memoryKib, int iterations, int parallelism, byte[] salt, byte[] tag) {
        static Phc parse(String phc) {
            String[] p = phc.split("\\$");
            if (p.length != 6 || !p[0].isEmpty() || !p[2].equals("v=19")) {
                throw new IllegalArgumentException("not an Argon2 PHC string of version 19");
            }
            int type = switch (p[1]) {
                case "argon2id" -> Argon2.ARGON2_ID;
                case "argon2i" -> Argon2.ARGON2_I;
                default -> throw new IllegalArgumentException("not Argon2i or Argon2id");
            };
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
                    default -> throw new IllegalArgumentException("unknown Argon2 parameter " + pair[0]);
                }
            }
            if (t < 1 || par < 1 || m < 8 * par) {
                throw new IllegalArgumentException("Argon2 parameters out of range");
            }
            byte[] tag = B64.decode(pad(p[5]));
            if (tag.length < 4) {
                throw new IllegalArgumentException("Argon2 tag too short");
            }
            return new Phc(type, m, t, par, B64.decode(pad(p[4])), tag);
        }
    }

    private boolean verifyArgon2(char[] password, Phc phc) {
        byte[] actual = argon2(phc.type(), password, phc.salt(), phc.memoryKib(), phc.iterations(),
                phc.parallelism(), phc.tag().length);
        return MessageDigest.isEqual(phc.tag(), actual);
    }

    /** Argon2 computations made (for tests: which checks cost the work of a hash). */
    final java.util.concurrent.atomic.AtomicLong argon2Computations;

    /**
     * How many Argon2 hashes this hashing (and every {@link #withScram} copy of it) computed so
     * far: the seam by which tests show that a failed login costs the same work for an unknown
     * user as for a known one.
     */
    public long argon2Computed() {
        return argon2Computations.get();
    }

    private byte[] argon2(int type, char[] password, byte[] salt, int m, int t, int p, int length) {
        argon2Computations.incrementAndGet();
        byte[] pw = utf8(password);
        try {
            return argon2.hash(type, pw, salt, m, t, p, length)
                    .orElseGet(() -> JavaArgon2.INSTANCE.tag(type, pw, salt, m, t, p, length));
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
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
        if (rounds <= 0 || rounds > CostCaps.PBKDF2_ITERATIONS) {
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

    /**
     * Dovecot's {@code SCRAM-SHA-256} and {@code SCRAM-SHA-1} schemes ({@code iterations,salt,
     * StoredKey,ServerKey}, Base64): the password is right when SHA(HMAC(PBKDF2(password, salt,
     * iterations), "Client Key")) is the StoredKey (RFC 5802).
     */
    private static boolean verifyScram(char[] password, String body, String digest, String kdf, String mac) {
        String[] p = body.split(",");
        if (p.length != 4) {
            return false;
        }
        int rounds = Integer.parseInt(p[0]);
        if (rounds <= 0 || rounds > CostCaps.PBKDF2_ITERATIONS) {
            return false;
        }
        byte[] salt = Base64.getDecoder().decode(p[1]);
        byte[] storedKey = Base64.getDecoder().decode(p[2]);
        try {
            byte[] salted = javax.crypto.SecretKeyFactory.getInstance(kdf).generateSecret(
                    new javax.crypto.spec.PBEKeySpec(password, salt, rounds, storedKey.length * 8)).getEncoded();
            javax.crypto.Mac hmac = javax.crypto.Mac.getInstance(mac);
            hmac.init(new javax.crypto.spec.SecretKeySpec(salted, mac));
            byte[] clientKey = hmac.doFinal("Client Key".getBytes(StandardCharsets.US_ASCII));
            return MessageDigest.isEqual(storedKey, digest(digest).digest(clientKey));
        } catch (java.security.GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Dovecot's {@code CRAM-MD5} scheme: the HMAC-MD5 context of the password, the MD5 states
     * after the outer and the inner padded key block, four little-endian words each, in hex.
     * BouncyCastle's MD5 gives its state after one block ({@code getEncodedState}: the words
     * big-endian from offset 16); no digest of our own.
     */
    private static boolean verifyCramMd5(char[] password, String body) {
        byte[] expected = HexFormat.of().parseHex(body.toLowerCase(Locale.ROOT));
        if (expected.length != 32) {
            return false;
        }
        byte[] key = utf8(password);
        if (key.length > 64) {
            key = digest("MD5").digest(key);
        }
        byte[] context = new byte[32];
        int at = 0;
        for (int pad : new int[] {0x5c, 0x36}) { // Dovecot keeps the outer state first
            byte[] block = new byte[64];
            for (int i = 0; i < 64; i++) {
                block[i] = (byte) ((i < key.length ? key[i] : 0) ^ pad);
            }
            org.bouncycastle.crypto.digests.MD5Digest md5 = new org.bouncycastle.crypto.digests.MD5Digest();
            md5.update(block, 0, 64);
            byte[] state = md5.getEncodedState();
            for (int word = 0; word < 4; word++) {
                for (int b = 0; b < 4; b++) {
                    context[at++] = state[16 + word * 4 + 3 - b]; // big-endian word to little-endian bytes
                }
            }
        }
        return MessageDigest.isEqual(expected, context);
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
