package dev.mailwright.outbound.internal;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The client TLS context for MX hosts: the handshake always goes through (opportunistic TLS,
 * RFC 7435, takes any certificate), but the server's certificate is checked as well, against the
 * trust store (PKIX) and the MX host name (RFC 6125, by the JDK's endpoint identification), and
 * the verdict is kept with the TLS session. {@link #problem} reads it, so the caller decides:
 * deliver anyway, or refuse because MTA-STS or REQUIRETLS needs a valid certificate. One
 * handshake serves both, and TLS-RPT learns what kind of failure it was.
 */
public final class CheckedTls {

    private static final String VERDICT = "dev.mailwright.outbound.certificate-problem";
    private static final String VALID = "";

    private final SSLContext context;

    private CheckedTls(X509ExtendedTrustManager pkix) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new Recording(pkix)}, new SecureRandom());
            this.context = ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Checks certificates against {@code trustStore}, or the JDK's default trust store when null. */
    public static CheckedTls trusting(KeyStore trustStore) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return new CheckedTls(x);
                }
            }
            throw new IllegalStateException("no X509 trust manager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The context to upgrade with; its sockets must have the endpoint identification algorithm set. */
    public SSLContext context() {
        return context;
    }

    /**
     * Why the peer's certificate is not valid for the host name the socket was made for; empty
     * when it is. A socket that did not go through this context's handshake has a problem too.
     */
    public static Optional<Problem> problem(SSLSocket socket) {
        SSLSession session = socket.getSession();
        Object v = session == null ? null : session.getValue(VERDICT);
        if (v instanceof Problem p) {
            return Optional.of(p);
        }
        return VALID.equals(v) ? Optional.empty() : Optional.of(new Problem("validation-failure", "certificate not checked"));
    }

    /**
     * A certificate that is not valid for the host.
     *
     * @param resultType the RFC 8460 4.3 result type: {@code certificate-host-mismatch},
     *                   {@code certificate-expired}, {@code certificate-not-trusted} or {@code validation-failure}
     * @param detail     what the trust manager said
     */
    public record Problem(String resultType, String detail) {
        static Problem of(Exception e) {
            String type = "certificate-not-trusted";
            for (Throwable t = e; t != null; t = t.getCause()) {
                String m = String.valueOf(t.getMessage());
                if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                    type = "certificate-expired";
                    break;
                }
                if (m.contains("No subject alternative") || m.contains("No name matching")) {
                    type = "certificate-host-mismatch";
                    break;
                }
                if (t instanceof RuntimeException) {
                    type = "validation-failure";
                }
            }
            return new Problem(type, String.valueOf(e.getMessage()));
        }
    }

    /** Accepts every certificate, after recording whether the PKIX trust manager would have. */
    private static final class Recording extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager pkix;

        Recording(X509ExtendedTrustManager pkix) {
            this.pkix = pkix;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            Object verdict = VALID;
            try {
                pkix.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException | RuntimeException e) {
                verdict = Problem.of(e);
            }
            if (socket instanceof SSLSocket s && s.getHandshakeSession() != null) {
                s.getHandshakeSession().putValue(VERDICT, verdict);
            }
        }

        /** As for a socket: the verdict is recorded in the engine's handshake session, the handshake goes on. */
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            Object verdict = VALID;
            try {
                pkix.checkServerTrusted(chain, authType, engine);
            } catch (CertificateException | RuntimeException e) {
                verdict = Problem.of(e);
            }
            if (engine != null && engine.getHandshakeSession() != null) {
                engine.getHandshakeSession().putValue(VERDICT, verdict);
            }
        }

        /** Without a connection there is nowhere to record a verdict: plain PKIX, which refuses what it does not trust. */
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            pkix.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
