package dev.mailwright.test;

import java.io.IOException;
import javax.net.ssl.SSLContext;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.commons.net.smtp.SMTPSClient;

/** Makes the Commons Net clients; loaded only when a test asks for one (commons-net is optional). */
final class CommonsNet {

    private CommonsNet() {
    }

    static SMTPSClient smtp(SSLContext context, String host, int port) throws IOException {
        SMTPSClient c = context != null ? new SMTPSClient(false, context) : new SMTPSClient(false);
        c.setDefaultTimeout(30_000);
        c.connect(host, port);
        return c;
    }

    static POP3SClient pop3(SSLContext context, String host, int port) throws IOException {
        POP3SClient c = context != null ? new POP3SClient(false, context) : new POP3SClient(false);
        c.setDefaultTimeout(30_000);
        c.connect(host, port);
        return c;
    }
}
