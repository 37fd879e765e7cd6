package dev.mailwright.server.tls;

import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.server.config.StartupException;
import dev.mailwright.server.config.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS material: the configured PEM files, or a self-signed certificate generated
 * under {@code data-dir/tls} on first start (its SHA-256 fingerprint printed so clients can
 * pin it). Either way served through a {@link ReloadingKeyManager}.
 */
public final class ServerTls {

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

    private final ReloadingKeyManager keys;
    private final TlsConfig config;

    private ServerTls(ReloadingKeyManager keys, TlsConfig config) {
        this.keys = keys;
        this.config = config;
    }

    public static ServerTls load(ServerConfig server) {
        Path cert;
        Path key;
        if (server.tls().selfSigned()) {
            Path dir = server.dataDir().resolve("tls");
            cert = dir.resolve("self-signed.crt.pem");
            key = dir.resolve("self-signed.key.pem");
            try {
                if (!Files.exists(cert) || !Files.exists(key)) {
                    Files.createDirectories(dir);
                    SelfSignedCertificate.generate(server.hostname()).write(cert, key);
                    LOG.info("generated a self-signed certificate for {} in {}", server.hostname(), dir);
                }
            } catch (IOException | RuntimeException e) {
                throw new StartupException("cannot create the self-signed certificate in " + dir + ": " + e.getMessage(), e);
            }
        } else {
            cert = server.tls().certificate().orElseThrow();
            key = server.tls().key().orElseThrow();
        }
        try {
            ReloadingKeyManager keys = new ReloadingKeyManager(cert, key);
            TlsConfig config = TlsConfig.of(keys.sslContext());
            ServerTls tls = new ServerTls(keys, config);
            LOG.info("TLS certificate {} for {}, valid until {}, SHA-256 fingerprint {}", cert,
                    keys.certificate().getSubjectX500Principal().getName(), keys.certificate().getNotAfter().toInstant(),
                    fingerprint(keys.certificate()));
            return tls;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            String which = server.tls().selfSigned() ? "the self-signed certificate in " + cert.getParent()
                    : "tls.certificate " + cert + " / tls.key " + key;
            throw new StartupException(which + " cannot be used: " + e.getMessage(), e);
        }
    }

    public TlsConfig config() {
        return config;
    }

    public ReloadingKeyManager keys() {
        return keys;
    }

    /** Colon-separated upper-case hex of the certificate's SHA-256, as openssl prints it. */
    public static String fingerprint(X509Certificate certificate) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return HexFormat.ofDelimiter(":").formatHex(d).toUpperCase(Locale.ROOT);
        } catch (CertificateEncodingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
