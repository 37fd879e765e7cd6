package dev.mailwright.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.tls.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadingKeyManagerTest {

    @TempDir
    Path dir;

    /** Handshakes with a server on the key manager and returns the certificate the server presented. */
    private static X509Certificate presented(ReloadingKeyManager keys) throws Exception {
        SSLContext server = keys.sslContext();
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> accept = CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    s.startHandshake();
                } catch (IOException ignored) {
                    // the client side asserts
                }
            });
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, new TrustManager[] {new TrustAll()}, null);
            try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), ss.getLocalPort())) {
                c.startHandshake();
                X509Certificate cert = (X509Certificate) c.getSession().getPeerCertificates()[0];
                accept.get(10, TimeUnit.SECONDS);
                return cert;
            }
        }
    }

    @Test
    void renewedCertificateIsServedWithoutRestart() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        SelfSignedCertificate first = SelfSignedCertificate.generate("first.example");
        first.write(cert, key);
        ReloadingKeyManager keys = new ReloadingKeyManager(cert, key);
        assertThat(presented(keys)).isEqualTo(first.certificate());
        assertThat(keys.reloadIfChanged()).isFalse();

        SelfSignedCertificate second = SelfSignedCertificate.generate("second.example");
        second.write(cert, key);
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(keys.reloadIfChanged()).isTrue();
        assertThat(presented(keys)).isEqualTo(second.certificate());
    }

    @Test
    void brokenReplacementKeepsTheWorkingCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        SelfSignedCertificate first = SelfSignedCertificate.generate("first.example");
        first.write(cert, key);
        ReloadingKeyManager keys = new ReloadingKeyManager(cert, key);
        Files.writeString(cert, "-----BEGIN CERTIFICATE-----\ngarbage\n-----END CERTIFICATE-----\n");
        Files.setLastModifiedTime(cert, FileTime.from(Instant.now().plusSeconds(5)));
        assertThat(keys.reloadIfChanged()).isFalse();
        assertThat(presented(keys)).isEqualTo(first.certificate());
    }

    private static final class TrustAll implements X509TrustManager {
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
    }
}
