package dev.mailwright.outbound.testing;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** A receiving MX (or submission smarthost) on a loopback port, built from our own SmtpServer embedding API. */
public final class Receiver implements AutoCloseable {

    /** One accepted transaction. */
    public record Received(String from, List<String> recipients, byte[] content, Optional<String> tls,
                    Optional<String> user, boolean requireTls) {
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    /** A self-signed certificate made once per test run (protocol-core's generator). */
    private static final TlsConfig TLS = SelfSignedCertificate.generate("localhost").tlsConfig();

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Semaphore arrivals = new Semaphore(0);
    private final SmtpServer server;

    private Receiver(SmtpServer.Builder builder) {
        this.server = builder.handler(this::handler).start();
    }

    /** An MX with STARTTLS on offer. */
    public static Receiver mx(String hostname) {
        return new Receiver(SmtpServer.builder().hostname(hostname).tls(TLS).mx(0));
    }

    /** An MX with STARTTLS on offer and this certificate (MTA-STS and REQUIRETLS tests). */
    public static Receiver mx(String hostname, TlsConfig tls) {
        return new Receiver(SmtpServer.builder().hostname(hostname).tls(tls).mx(0));
    }

    /** An MX without STARTTLS. */
    public static Receiver plainMx(String hostname) {
        return new Receiver(SmtpServer.builder().hostname(hostname).mx(0));
    }

    /** A submission server: STARTTLS, then AUTH with these accounts before MAIL; a relay for any sender. */
    public static Receiver submission(String hostname, Authenticator accounts) {
        return new Receiver(SmtpServer.builder().hostname(hostname).tls(TLS).authenticator(accounts)
                .settings(b -> b.senderOwnership(false)).submission(0));
    }

    /** A submissions server: implicit TLS (port 465), then AUTH before MAIL; a relay for any sender. */
    public static Receiver submissions(String hostname, Authenticator accounts) {
        return new Receiver(SmtpServer.builder().hostname(hostname).tls(TLS).authenticator(accounts)
                .settings(b -> b.senderOwnership(false)).submissions(0));
    }

    public int port() {
        return server.port();
    }

    public int port(SmtpSettings.Mode mode) {
        return server.port(mode);
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits for {@code n} more transactions; false if they did not come within a minute. */
    public boolean await(int n) throws InterruptedException {
        return arrivals.tryAcquire(n, 60, TimeUnit.SECONDS);
    }

    private MailHandler handler(SessionInfo session) {
        return new MailHandler() {
            private String from = "";
            private boolean requireTls;
            private final List<String> rcpts = new ArrayList<>();
            private final ByteArrayOutputStream content = new ByteArrayOutputStream();

            @Override
            public void from(MailFrom mail) {
                from = mail.path();
                requireTls = mail.requireTls();
            }

            @Override
            public void recipient(RcptTo rcpt) {
                rcpts.add(rcpt.address().toString());
            }

            @Override
            public OutputStream content() {
                return content;
            }

            @Override
            public void done() {
                received.add(new Received(from, List.copyOf(rcpts), content.toByteArray(), session.tlsProtocol(),
                        session.authenticatedUser(), requireTls));
                arrivals.release();
            }
        };
    }

    @Override
    public void close() {
        server.close();
    }
}
