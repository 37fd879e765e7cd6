package dev.mailwright.pop3.support;

import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import java.util.function.UnaryOperator;

/** A server on port 0 over a fresh in-memory store, with alice@example.org / secret. */
public final class Pop3Fixture implements AutoCloseable {

    public static final SelfSignedCertificate CERT = SelfSignedCertificate.generate("localhost");
    public static final String ALICE = "alice@example.org";
    public static final String PASSWORD = "secret";

    public final TestMail mail;
    public final Pop3Server server;

    public Pop3Fixture() {
        this(b -> b);
    }

    public Pop3Fixture(UnaryOperator<Pop3Server.Builder> options) {
        this(new TestMail(), options);
    }

    /** A server over a store that keeps SCRAM-SHA-256 keys ({@code passwords.scram = true}). */
    public static Pop3Fixture withScram() {
        return new Pop3Fixture(new TestMail(true), b -> b);
    }

    private Pop3Fixture(TestMail mail, UnaryOperator<Pop3Server.Builder> options) {
        this.mail = mail;
        mail.account(ALICE, PASSWORD);
        server = options.apply(Pop3Server.builder().store(mail.store()).securePort(0)
                .tls(CERT.tlsConfig()).clock(mail.clock).authThrottle(AuthThrottle.disabled())).start();
    }

    public int port() {
        return server.port();
    }

    public int securePort() {
        return server.securePort();
    }

    public RawClient connect() throws java.io.IOException {
        return connectFrom("127.0.0.1");
    }

    /** Connects from another loopback address (127.0.0.2 and so on): another client as the server sees it. */
    public RawClient connectFrom(String source) throws java.io.IOException {
        RawClient c = new RawClient(port(), source);
        String greeting = c.readLine();
        if (!greeting.startsWith("+OK")) {
            throw new IllegalStateException(greeting);
        }
        return c;
    }

    public void deliver(String content) {
        mail.deliver(ALICE, content);
    }

    public int messages() {
        return mail.messageCount(ALICE);
    }

    @Override
    public void close() {
        server.close();
    }
}
