package dev.mailwright.smtp.testing;

import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.protocol.tls.TlsConfig;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A self-signed certificate made once per test run (protocol-core's generator) and a client that trusts anything. */
public final class TestTls {

    private static final TlsConfig SERVER = SelfSignedCertificate.generate("localhost").tlsConfig();

    private TestTls() {
    }

    public static TlsConfig server() {
        return SERVER;
    }

    public static SSLContext trustingClient() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
