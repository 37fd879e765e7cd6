package dev.mailwright.smtp.testing;

import dev.mailwright.protocol.tls.OpportunisticTls;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.protocol.tls.TlsConfig;
import javax.net.ssl.SSLContext;

/** A self-signed certificate made once per test run (protocol-core's generator) and a client that trusts anything. */
public final class TestTls {

    private static final TlsConfig SERVER = SelfSignedCertificate.generate("localhost").tlsConfig();

    private TestTls() {
    }

    public static TlsConfig server() {
        return SERVER;
    }

    public static SSLContext trustingClient() {
        return OpportunisticTls.clientContext();
    }
}
