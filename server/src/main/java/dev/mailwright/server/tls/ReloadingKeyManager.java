package dev.mailwright.server.tls;

import dev.mailwright.protocol.tls.PemKeyMaterial;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key manager that serves the certificate and key of two PEM files and picks up new files
 * when {@link #reloadIfChanged()} sees them changed (the server calls it periodically), so a
 * renewed certificate is used by the next handshake without a restart. A file that cannot be
 * read or parsed keeps the previous certificate in use and is reported in the log.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);

    private final Path certificate;
    private final Path key;
    private volatile X509ExtendedKeyManager delegate;
    private volatile X509Certificate current;
    private FileTime certTime;
    private FileTime keyTime;

    /** Loads the files now; throws if they cannot be used. */
    public ReloadingKeyManager(Path certificate, Path key) throws IOException, GeneralSecurityException {
        this.certificate = certificate;
        this.key = key;
        load();
    }

    /** A server SSLContext on this key manager. */
    public SSLContext sslContext() throws GeneralSecurityException {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new KeyManager[] {this}, null, new SecureRandom());
        return ctx;
    }

    /** The certificate served now. */
    public X509Certificate certificate() {
        return current;
    }

    /** Re-reads the files if their modification times changed; returns whether a new certificate is in use. */
    public synchronized boolean reloadIfChanged() {
        try {
            if (Objects.equals(Files.getLastModifiedTime(certificate), certTime)
                    && Objects.equals(Files.getLastModifiedTime(key), keyTime)) {
                return false;
            }
            load();
            LOG.info("TLS certificate reloaded from {}: subject {}, valid until {}", certificate,
                    current.getSubjectX500Principal().getName(), current.getNotAfter().toInstant());
            return true;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("TLS certificate {} not reloaded, keeping the current one: {}", certificate, e.getMessage());
            return false;
        }
    }

    private synchronized void load() throws IOException, GeneralSecurityException {
        FileTime ct = Files.getLastModifiedTime(certificate);
        FileTime kt = Files.getLastModifiedTime(key);
        PemKeyMaterial material = PemKeyMaterial.load(certificate, key);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pass = new char[0];
        ks.setKeyEntry("server", material.key(), pass, material.chain().toArray(Certificate[]::new));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        for (KeyManager km : kmf.getKeyManagers()) {
            if (km instanceof X509ExtendedKeyManager x) {
                delegate = x;
                current = material.chain().get(0);
                certTime = ct;
                keyTime = kt;
                return;
            }
        }
        throw new GeneralSecurityException("no X.509 key manager available");
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return delegate.chooseClientAlias(keyType, issuers, socket);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate.getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return delegate.chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return delegate.chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return delegate.chooseEngineClientAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate.getPrivateKey(alias);
    }
}
