package dev.mailwright.protocol.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Generates a self-signed certificate (EC P-256) for tests and for a server's first start.
 * Needs {@code org.bouncycastle:bcpkix-jdk18on} on the class path (an optional dependency of
 * this module, ADR 0033); {@code mailwright-test} brings a certificate of its own instead.
 */
public final class SelfSignedCertificate {

    private final PemKeyMaterial material;

    private SelfSignedCertificate(PemKeyMaterial material) {
        this.material = material;
    }

    public static SelfSignedCertificate generate(String hostname) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = g.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + hostname);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofDays(1))),
                    Date.from(now.plus(Duration.ofDays(825))), name, pair.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, hostname)));
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            return new SelfSignedCertificate(new PemKeyMaterial(List.of(cert), pair.getPrivate()));
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot generate a self-signed certificate", e);
        }
    }

    /**
     * Reads {@code cert} and {@code key} if both exist, otherwise generates a certificate for
     * {@code hostname} and writes them (the key readable by the owner only).
     */
    public static PemKeyMaterial loadOrCreate(Path cert, Path key, String hostname) throws IOException, GeneralSecurityException {
        if (Files.exists(cert) && Files.exists(key)) {
            return PemKeyMaterial.load(cert, key);
        }
        SelfSignedCertificate generated = generate(hostname);
        generated.write(cert, key);
        return generated.material;
    }

    public PemKeyMaterial material() {
        return material;
    }

    public X509Certificate certificate() {
        return material.chain().get(0);
    }

    public TlsConfig tlsConfig() {
        try {
            return TlsConfig.of(material.sslContext());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context trusting only this certificate (tests). */
    public SSLContext clientContext() {
        return TlsConfig.clientTrusting(certificate());
    }

    public String certificatePem() {
        return pem(certificate());
    }

    public String privateKeyPem() {
        try {
            return pem(new JcaPKCS8Generator(material.key(), null).generate());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public void write(Path cert, Path key) throws IOException {
        if (cert.toAbsolutePath().getParent() != null) {
            Files.createDirectories(cert.toAbsolutePath().getParent());
        }
        Files.writeString(cert, certificatePem(), StandardCharsets.US_ASCII);
        Files.deleteIfExists(key);
        try {
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(key);
        }
        Files.writeString(key, privateKeyPem(), StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
    }

    private static String pem(Object o) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }
}
