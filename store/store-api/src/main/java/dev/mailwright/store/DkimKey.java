package dev.mailwright.store;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * A DKIM signing key of one of our domains (RFC 6376).
 *
 * @param domain     the signing domain ({@code d=}), lower case
 * @param selector   the selector ({@code s=}): the key's public half is at {@code selector._domainkey.domain}
 * @param algorithm  the signing algorithm
 * @param privateKey the private key, PKCS#8 DER
 * @param created    when the key was stored; the newest key of a domain signs
 */
public record DkimKey(String domain, String selector, Algorithm algorithm, byte[] privateKey, Instant created) {

    /** The algorithms we sign with. */
    public enum Algorithm {
        /** {@code rsa-sha256} (RFC 6376), JCA key algorithm {@code RSA}. */
        RSA_SHA256("rsa-sha256", "rsa", "RSA"),
        /** {@code ed25519-sha256} (RFC 8463), JCA key algorithm {@code Ed25519}. */
        ED25519_SHA256("ed25519-sha256", "ed25519", "Ed25519");

        private final String tag;
        private final String keyType;
        private final String jcaName;

        Algorithm(String tag, String keyType, String jcaName) {
            this.tag = tag;
            this.keyType = keyType;
            this.jcaName = jcaName;
        }

        /** The {@code a=} tag value. */
        public String tag() {
            return tag;
        }

        /** The {@code k=} value of the DNS record. */
        public String keyType() {
            return keyType;
        }

        /** The JCA key algorithm name. */
        public String jcaName() {
            return jcaName;
        }

        /** Parses an {@code a=} tag value or an enum name. */
        public static Algorithm parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            for (Algorithm a : values()) {
                if (a.tag.equals(t) || a.name().toLowerCase(Locale.ROOT).equals(t) || a.keyType.equals(t)) {
                    return a;
                }
            }
            throw new InvalidInputException("unknown DKIM algorithm: " + text);
        }
    }

    public DkimKey {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(created, "created");
        domain = Address.parseDomain(domain);
        if (selector == null || !selector.matches("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")) {
            throw new InvalidInputException("malformed DKIM selector: " + selector);
        }
        if (privateKey == null || privateKey.length == 0) {
            throw new InvalidInputException("empty DKIM private key");
        }
        privateKey = privateKey.clone();
    }

    @Override
    public byte[] privateKey() {
        return privateKey.clone();
    }

    @Override
    public String toString() {
        return "DkimKey[" + selector + "._domainkey." + domain + ", " + algorithm.tag() + ", created " + created + "]";
    }
}
