package dev.mailwright.outbound.dkim;

import dev.mailwright.store.DkimKey;
import dev.mailwright.store.content.HeaderSection;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.james.jdkim.canon.RelaxedBodyCanonicalizer;

/**
 * DKIM signing (RFC 6376) with {@code rsa-sha256} or {@code ed25519-sha256} (RFC 8463),
 * relaxed/relaxed canonicalisation. The body is canonicalised by Apache James jDKIM's
 * {@link RelaxedBodyCanonicalizer} and hashed as it streams past, so a message of any size is
 * signed in bounded memory; the header canonicalisation (RFC 6376 3.4.2) is the few lines
 * below. Thread-safe: each message gets its own {@link Signing}.
 */
public final class DkimSigner {

    /** The fields signed when present (each instance), in this order. */
    public static final List<String> SIGNED_FIELDS = List.of("from", "reply-to", "sender", "subject", "date", "to",
            "cc", "message-id", "in-reply-to", "references", "mime-version", "content-type",
            "content-transfer-encoding", "list-id", "list-unsubscribe", "list-unsubscribe-post");

    private final DkimKey key;
    private final PrivateKey privateKey;
    private final Clock clock;

    /** @throws IllegalArgumentException when the stored key cannot be read */
    public DkimSigner(DkimKey key, Clock clock) {
        this.key = key;
        this.clock = clock;
        try {
            this.privateKey = KeyFactory.getInstance(key.algorithm().jcaName())
                    .generatePrivate(new PKCS8EncodedKeySpec(key.privateKey()));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("unreadable DKIM key " + key + ": " + e.getMessage(), e);
        }
    }

    public DkimKey key() {
        return key;
    }

    /** Starts signing a message with this header section; write its body to {@link Signing#body()}. */
    public Signing begin(HeaderSection header) {
        return new Signing(header);
    }

    /** Signs a whole message in wire form read from the stream; returns the DKIM-Signature field with its CRLF. */
    public String sign(InputStream wireForm) throws IOException {
        HeaderSection header = HeaderSection.read(wireForm, Integer.MAX_VALUE);
        Signing s = begin(header);
        wireForm.transferTo(s.body());
        return s.finish();
    }

    /** One message being signed. */
    public final class Signing {
        private final HeaderSection header;
        private final MessageDigest bodyDigest;
        private final OutputStream body;

        private Signing(HeaderSection header) {
            this.header = header;
            this.bodyDigest = sha256();
            this.body = new RelaxedBodyCanonicalizer(new DigestOutputStream(OutputStream.nullOutputStream(), bodyDigest));
        }

        /** Where the body goes, exactly as it will be sent (CRLF lines). */
        public OutputStream body() {
            return body;
        }

        /** The {@code DKIM-Signature} field to put on top of the message, ending in CRLF. */
        public String finish() {
            try {
                body.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String bh = Base64.getEncoder().encodeToString(bodyDigest.digest());
            List<String> signedNames = new ArrayList<>();
            StringBuilder data = new StringBuilder();
            for (String name : SIGNED_FIELDS) {
                List<String> instances = header.get(name);
                for (int i = instances.size() - 1; i >= 0; i--) { // bottom up, as verifiers pick them
                    signedNames.add(name);
                    data.append(HeaderSection.relaxed(instances.get(i)));
                }
            }
            String unsigned = "DKIM-Signature: v=1; a=" + key.algorithm().tag() + "; c=relaxed/relaxed; d="
                    + key.domain() + "; s=" + key.selector() + ";\r\n\tt=" + clock.instant().getEpochSecond()
                    + "; h=" + String.join(":", signedNames) + ";\r\n\tbh=" + bh + ";\r\n\tb=";
            String canonical = HeaderSection.relaxed(unsigned);
            data.append(canonical, 0, canonical.length() - 2); // without its CRLF (RFC 6376 3.7)
            byte[] signature = signature(data.toString().getBytes(StandardCharsets.ISO_8859_1));
            return unsigned + fold(Base64.getEncoder().encodeToString(signature)) + "\r\n";
        }
    }

    private byte[] signature(byte[] headerData) {
        try {
            if (key.algorithm() == DkimKey.Algorithm.ED25519_SHA256) {
                // RFC 8463 3: PureEdDSA over the SHA-256 hash of the header data
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(privateKey);
                s.update(sha256().digest(headerData));
                return s.sign();
            }
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(privateKey);
            s.update(headerData);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DKIM signing failed with " + key, e);
        }
    }

    private static String fold(String base64) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < base64.length(); i += 72) {
            if (i > 0) {
                sb.append("\r\n\t ");
            }
            sb.append(base64, i, Math.min(base64.length(), i + 72));
        }
        return sb.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
