package dev.mailwright.protocol.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Server TLS material and settings: TLS 1.3 and 1.2 only, and AEAD cipher suites only
 * ({@link #cipherSuiteArray()}).
 *
 * @param context   the server context (certificate chain and key)
 * @param protocols the enabled protocol versions
 */
public record TlsConfig(SSLContext context, List<String> protocols) {

    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public TlsConfig {
        protocols = List.copyOf(protocols);
        for (String p : protocols) {
            if (!PROTOCOLS.contains(p)) {
                throw new IllegalArgumentException("TLS version not allowed: " + p);
            }
        }
    }

    public static TlsConfig of(SSLContext context) {
        return new TlsConfig(context, PROTOCOLS);
    }

    /** A client context that trusts {@code certificate} and nothing else (tests of a self-signed server); the JDK alone. */
    public static SSLContext clientTrusting(X509Certificate certificate) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * From PEM files: the certificate chain (leaf first) and its private key (PKCS#8, PKCS#1 or
     * SEC1). Needs {@code org.bouncycastle:bcpkix-jdk18on} on the class path (an optional
     * dependency of this module, ADR 0033); {@link #of(SSLContext)} needs nothing.
     */
    public static TlsConfig fromPem(Path certificateChain, Path privateKey) throws IOException, GeneralSecurityException {
        return of(PemKeyMaterial.load(certificateChain, privateKey).sslContext());
    }

    public String[] protocolArray() {
        return protocols.toArray(String[]::new);
    }

    /**
     * The cipher suites a server offers: those of TLS 1.3, and for TLS 1.2 only forward-secret
     * (ECDHE, DHE) AEAD ones (GCM, ChaCha20-Poly1305); no CBC, no SHA-1 MAC, no static RSA key
     * exchange. In the JDK's order of preference.
     */
    public String[] cipherSuiteArray() {
        return Arrays.stream(context.getDefaultSSLParameters().getCipherSuites()).filter(TlsConfig::strong)
                .toArray(String[]::new);
    }

    static boolean strong(String suite) {
        if (suite.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV")) {
            return true; // a signal, not a suite (RFC 5746)
        }
        boolean tls13 = suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_");
        boolean forwardSecret = suite.startsWith("TLS_ECDHE_") || suite.startsWith("TLS_DHE_");
        boolean aead = suite.contains("_GCM_") || suite.contains("_CHACHA20_POLY1305_");
        return tls13 || forwardSecret && aead;
    }
}
