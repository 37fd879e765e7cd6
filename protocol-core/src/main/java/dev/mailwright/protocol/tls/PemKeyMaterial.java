package dev.mailwright.protocol.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/** A certificate chain and its private key, read from PEM text. */
public record PemKeyMaterial(List<X509Certificate> chain, PrivateKey key) {

    public PemKeyMaterial {
        chain = List.copyOf(chain);
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no certificate");
        }
    }

    public static PemKeyMaterial load(Path certificateChain, Path privateKey) throws IOException, GeneralSecurityException {
        return parse(Files.readString(certificateChain, StandardCharsets.US_ASCII),
                Files.readString(privateKey, StandardCharsets.US_ASCII));
    }

    public static PemKeyMaterial parse(String chainPem, String keyPem) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        List<X509Certificate> chain = cf.generateCertificates(
                        new ByteArrayInputStream(chainPem.getBytes(StandardCharsets.US_ASCII))).stream()
                .map(X509Certificate.class::cast).toList();
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in the PEM chain");
        }
        return new PemKeyMaterial(chain, parseKey(keyPem));
    }

    private static PrivateKey parseKey(String pem) throws IOException, GeneralSecurityException {
        try (Reader r = new StringReader(pem); PEMParser parser = new PEMParser(r)) {
            Object o;
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            while ((o = parser.readObject()) != null) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    return converter.getKeyPair(pair).getPrivate();
                }
            }
        }
        throw new GeneralSecurityException("no unencrypted private key in the PEM file");
    }

    /** A server SSLContext presenting this chain. */
    public SSLContext sslContext() throws GeneralSecurityException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pass = new char[0];
            ks.setKeyEntry("server", key, pass, chain.toArray(Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pass);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, new SecureRandom());
            return ctx;
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot build key store", e);
        }
    }
}
