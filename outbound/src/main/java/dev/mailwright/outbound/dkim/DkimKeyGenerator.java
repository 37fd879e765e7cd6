package dev.mailwright.outbound.dkim;

import dev.mailwright.store.DkimKey;
import dev.mailwright.store.DkimKeys;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * Makes a DKIM key for one of our domains, stores it, and gives the DNS record to publish.
 * {@code rsa-sha256} keys are 2048 bits; {@code ed25519-sha256} keys are what RFC 8463 says.
 * Receivers that know only RSA ignore an Ed25519 signature, so RSA is the default.
 *
 * <pre>{@code
 * GeneratedKey g = new DkimKeyGenerator(store.dkimKeys()).generate("example.org", "mail", DkimKey.Algorithm.RSA_SHA256);
 * System.out.println(g.dnsRecord());
 * // mail._domainkey.example.org. IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkq..."
 * }</pre>
 */
public final class DkimKeyGenerator {

    /** The RSA modulus size. */
    public static final int RSA_BITS = 2048;

    private final DkimKeys keys;

    public DkimKeyGenerator(DkimKeys keys) {
        this.keys = Objects.requireNonNull(keys);
    }

    /** A stored key and the DNS TXT record of its public half. */
    public record GeneratedKey(DkimKey key, String publicKeyTag, String dnsRecord) {
    }

    /**
     * Generates and stores a key. Fails like {@link DkimKeys#add} when the domain is not ours
     * or the selector is taken.
     */
    public GeneratedKey generate(String domain, String selector, DkimKey.Algorithm algorithm) {
        KeyPair pair;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm.jcaName());
            if (algorithm == DkimKey.Algorithm.RSA_SHA256) {
                g.initialize(RSA_BITS);
            }
            pair = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm.tag() + " key", e);
        }
        DkimKey key = keys.add(domain, selector, algorithm, pair.getPrivate().getEncoded());
        String p = publicKeyTag(algorithm, pair.getPublic());
        return new GeneratedKey(key, p, dnsRecord(key, p));
    }

    /**
     * The {@code p=} value: for RSA the base64 SubjectPublicKeyInfo (RFC 6376 3.6.1); for
     * Ed25519 the base64 of the bare 32-octet public key (RFC 8463 4).
     */
    public static String publicKeyTag(DkimKey.Algorithm algorithm, PublicKey publicKey) {
        byte[] spki = publicKey.getEncoded();
        byte[] bytes = algorithm == DkimKey.Algorithm.ED25519_SHA256
                ? Arrays.copyOfRange(spki, spki.length - 32, spki.length) // the SPKI prefix is fixed, 12 octets
                : spki;
        return Base64.getEncoder().encodeToString(bytes);
    }

    /**
     * The {@code p=} value of a stored key, its public half derived again from the private key (for
     * printing the DNS record of a key made earlier): RSA from the private key's modulus and public
     * exponent; Ed25519 by generating the pair again from the private key's 32-octet seed, which
     * is what the platform's generator does with the random octets it draws (checked).
     */
    public static String publicKeyTag(DkimKey key) {
        try {
            KeyFactory factory = KeyFactory.getInstance(key.algorithm().jcaName());
            PrivateKey priv = factory.generatePrivate(new PKCS8EncodedKeySpec(key.privateKey()));
            PublicKey pub;
            if (priv instanceof RSAPrivateCrtKey rsa) {
                pub = factory.generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
            } else if (priv instanceof EdECPrivateKey ed) {
                byte[] seed = ed.getBytes().orElseThrow(() -> new InvalidKeyException("Ed25519 key without its seed"));
                KeyPairGenerator g = KeyPairGenerator.getInstance(key.algorithm().jcaName());
                g.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                    @Override
                    public void nextBytes(byte[] bytes) {
                        System.arraycopy(seed, 0, bytes, 0, Math.min(seed.length, bytes.length));
                    }
                });
                KeyPair again = g.generateKeyPair();
                if (!Arrays.equals(((EdECPrivateKey) again.getPrivate()).getBytes().orElseThrow(), seed)) {
                    throw new InvalidKeyException("could not derive the Ed25519 public key");
                }
                pub = again.getPublic();
            } else {
                throw new InvalidKeyException("not an RSA private key with its public exponent");
            }
            return publicKeyTag(key.algorithm(), pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the DKIM key " + key.selector() + " of " + key.domain()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * The zone file line: {@code selector._domainkey.domain. IN TXT "v=DKIM1; k=rsa; p=..."},
     * the text split into strings of at most 255 characters as DNS requires.
     */
    public static String dnsRecord(DkimKey key, String publicKeyTag) {
        String text = "v=DKIM1; k=" + key.algorithm().keyType() + "; p=" + publicKeyTag;
        StringBuilder sb = new StringBuilder();
        sb.append(key.selector()).append("._domainkey.").append(key.domain()).append(". IN TXT ");
        for (int i = 0; i < text.length(); i += 255) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append('"').append(text, i, Math.min(text.length(), i + 255)).append('"');
        }
        return sb.toString();
    }
}
