package dev.mailwright.protocol.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Server TLS material and settings: TLS 1.3 and 1.2 only.
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

    /** From PEM files: the certificate chain (leaf first) and its private key (PKCS#8, PKCS#1 or SEC1). */
    public static TlsConfig fromPem(Path certificateChain, Path privateKey) throws IOException, GeneralSecurityException {
        return of(PemKeyMaterial.load(certificateChain, privateKey).sslContext());
    }

    public String[] protocolArray() {
        return protocols.toArray(String[]::new);
    }
}
