package dev.mailwright.it.support;

import dev.mailwright.protocol.tls.OpportunisticTls;
import javax.net.ssl.SSLContext;

/** The servers under test present a self-signed certificate generated on first start: clients trust it blindly. */
public final class Tls {

    private Tls() {
    }

    public static SSLContext trustAll() {
        return OpportunisticTls.clientContext();
    }
}
