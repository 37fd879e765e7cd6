package dev.mailwright.protocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsConfigTest {

    @TempDir
    Path dir;

    @Test
    void generatedCertificateShouldRoundTripThroughPemFiles() throws Exception {
        SelfSignedCertificate generated = SelfSignedCertificate.generate("mail.example.org");
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        generated.write(cert, key);
        assertThat(Files.readString(cert)).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");

        PemKeyMaterial loaded = PemKeyMaterial.load(cert, key);
        assertThat(loaded.chain()).containsExactly(generated.certificate());
        assertThat(loaded.key().getEncoded()).isEqualTo(generated.material().key().getEncoded());
        TlsConfig tls = TlsConfig.fromPem(cert, key);
        assertThat(tls.protocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(tls.context().getProtocol()).isEqualTo("TLS");
    }

    @Test
    void loadOrCreateShouldGenerateOnceAndThenReuse() throws Exception {
        Path cert = dir.resolve("sub/cert.pem");
        Path key = dir.resolve("sub/key.pem");
        PemKeyMaterial first = SelfSignedCertificate.loadOrCreate(cert, key, "localhost");
        PemKeyMaterial second = SelfSignedCertificate.loadOrCreate(cert, key, "localhost");
        assertThat(second.chain()).isEqualTo(first.chain());
    }

    @Test
    void oldTlsVersionsShouldBeRefused() {
        SelfSignedCertificate c = SelfSignedCertificate.generate("localhost");
        assertThatThrownBy(() -> new TlsConfig(c.tlsConfig().context(), List.of("TLSv1.1")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pemWithoutKeyShouldFailClearly() {
        SelfSignedCertificate c = SelfSignedCertificate.generate("localhost");
        assertThatThrownBy(() -> PemKeyMaterial.parse(c.certificatePem(), c.certificatePem()))
                .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("private key");
    }

    @Test
    void onlyTls13AndForwardSecretAeadSuitesAreOffered() {
        String[] suites = dev.mailwright.protocol.tls.SelfSignedCertificate.generate("localhost").tlsConfig()
                .cipherSuiteArray();
        org.assertj.core.api.Assertions.assertThat(suites).contains("TLS_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
        org.assertj.core.api.Assertions.assertThat(suites).noneMatch(x -> x.contains("_CBC_") || x.endsWith("_SHA")
                || x.startsWith("TLS_RSA_"));
    }
}
