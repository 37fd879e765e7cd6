package dev.mailwright.protocol.tls;

import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A client TLS context that accepts any server certificate: opportunistic encryption, where
 * any certificate beats plain text (RFC 7435; SMTP to MX hosts, RFC 3207 section 4.1), and
 * clients talking to a self-signed test server. Never for a peer whose identity matters (a
 * smarthost with credentials verifies its certificate).
 */
public final class OpportunisticTls {

    private OpportunisticTls() {
    }

    public static SSLContext clientContext() {
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
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS in this JVM", e);
        }
    }
}
