package dev.mailwright.test.internal;

import dev.mailwright.protocol.tls.TlsConfig;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The servers' certificate: an EC P-256 key pair for {@code localhost} and {@code 127.0.0.1},
 * made by the JDK's keytool when this module was built (ADR 0033) and read with the JDK alone.
 * For tests only: its private key ships in this jar.
 */
public final class TestCertificate {

    private static final String RESOURCE = "localhost.p12";
    private static final char[] PASSWORD = "mailwright-test".toCharArray();
    private static final String ALIAS = "mailwright-test";

    private final KeyStore keyStore;
    private final X509Certificate certificate;

    private TestCertificate(KeyStore keyStore) throws GeneralSecurityException {
        this.keyStore = keyStore;
        this.certificate = (X509Certificate) keyStore.getCertificate(ALIAS);
    }

    public static TestCertificate load() {
        try (InputStream in = TestCertificate.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " missing from mailwright-test: the build makes it");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD);
            return new TestCertificate(ks);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the test certificate", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** The servers' side. */
    public TlsConfig serverTls() {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, PASSWORD);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return TlsConfig.of(ctx);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A client context that trusts this certificate and nothing else. */
    public SSLContext clientContext() {
        return TlsConfig.clientTrusting(certificate);
    }
}
