package dev.mailwright.test;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.QueueItem;
import dev.mailwright.password.ScramCredentials;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.test.internal.LogLevels;
import dev.mailwright.test.internal.RecordingStore;
import dev.mailwright.test.internal.ScriptedFaults;
import dev.mailwright.test.internal.TestCertificate;
import jakarta.mail.PasswordAuthentication;
import jakarta.mail.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Mailwright's SMTP and POP3 servers in the test's own JVM, on free loopback ports, over an
 * in-memory store: MX, submission (STARTTLS) and submissions (implicit TLS); POP3 (STLS) and
 * POP3S; a self-signed certificate and a client {@link SSLContext} that trusts it.
 *
 * <pre>{@code
 * @RegisterExtension
 * static MailwrightExtension mail = MailwrightExtension.create().withUser("ann@example.test", "secret");
 *
 * @Test
 * void sendsTheWelcomeMail() throws Exception {
 *     new SignUp(mail.submissionSession("ann@example.test", "secret")).register("bob@example.test");
 *     assertThat(mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(5)).get(0).subject())
 *             .isEqualTo("Welcome");
 * }
 * }</pre>
 *
 * <p>A {@code static} field starts the servers once for the test class (received mail and users
 * are kept from test to test; {@link #reset()} empties the mailboxes and the queue and keeps the
 * users); an instance field, or
 * {@link #withPerMethodLifecycle()}, starts fresh servers for every test. Scripted
 * {@linkplain #faults() faults} are cleared after every test. Test methods may take a
 * {@code MailwrightExtension}, {@link Faults} or {@link MailStore} parameter.
 *
 * <p>Test defaults, unlike a production server: no shutdown grace ({@link #close()} returns at
 * once, even with a client in the middle of a transaction), a cheap password hash, no delay
 * after a failed login, sender
 * ownership off ({@link #withSenderOwnership}), and the servers' logs at WARN when the suite logs
 * through Logback ({@link #withLogLevel}).
 */
public final class MailwrightExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver, AutoCloseable {

    private static final String HOST = "127.0.0.1";
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(30);
    private static final long DEFAULT_RECORDED_CONTENT_LIMIT = 64L << 20;

    private final Map<String, String> users = new LinkedHashMap<>();
    private final Set<String> domains = new LinkedHashSet<>();
    private boolean tls = true;
    private boolean acceptAnyUser;
    private boolean senderOwnership;
    private boolean perMethod;
    private String logLevel = "WARN";
    private String hostname = "localhost";
    private long recordedContentLimit = DEFAULT_RECORDED_CONTENT_LIMIT;
    private final ScriptedFaults smtpFaults = new ScriptedFaults();
    private final ScriptedFaults pop3Faults = new ScriptedFaults();
    private final Faults faults = new Faults(smtpFaults, pop3Faults);

    private Running running;
    private boolean startedForClass;

    private MailwrightExtension() {
    }

    /** An extension with TLS on, no users, and the test defaults above. */
    public static MailwrightExtension create() {
        return new MailwrightExtension();
    }

    // ------------------------------------------------------------------ configuration

    /** A user (and its domain) that exists from the start. */
    public MailwrightExtension withUser(String address, String password) {
        users.put(Address.parse(address).toString(), password);
        return this;
    }

    /** A domain of the server: mail to it is local, to any other relayed (queued, never sent). */
    public MailwrightExtension withDomain(String domain) {
        domains.add(Address.parseDomain(domain));
        return this;
    }

    /** Any address is a local user, created on first use with its address as password, or the password it logs in with. */
    public MailwrightExtension acceptingAnyUser() {
        acceptAnyUser = true;
        return this;
    }

    /** Plain connections only: no STARTTLS, STLS, submissions or POP3S; passwords in the clear allowed. */
    public MailwrightExtension withoutTls() {
        tls = false;
        return this;
    }

    /** Whether a submitter may only send as its own addresses (ADR 0026), as in production; off by default. */
    public MailwrightExtension withSenderOwnership(boolean on) {
        senderOwnership = on;
        return this;
    }

    /** Fresh servers for every test even in a static field. */
    public MailwrightExtension withPerMethodLifecycle() {
        perMethod = true;
        return this;
    }

    /** The level of the servers' logs ({@code WARN} by default, {@code DEBUG} shows the protocol trace); null leaves the suite's own. */
    public MailwrightExtension withLogLevel(String level) {
        logLevel = level;
        return this;
    }

    /** The name in greetings and Received headers (default {@code localhost}). */
    public MailwrightExtension withHostname(String name) {
        hostname = name;
        return this;
    }

    /**
     * How many octets of received content {@link #receivedMessages()} and {@link #awaitMessages}
     * keep in memory, all messages together (64 MiB by default). Past it the oldest lose their
     * content ({@link ReceivedMessage#hasContent()}; their mailbox, size and envelope stay), and a
     * message larger than the limit is never copied. The mailboxes themselves are not limited.
     */
    public MailwrightExtension withRecordedContentLimit(long octets) {
        if (octets < 0) {
            throw new IllegalArgumentException("negative limit");
        }
        recordedContentLimit = octets;
        return this;
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void beforeAll(ExtensionContext context) {
        if (!perMethod) {
            start();
            startedForClass = true;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (running == null) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        faults.clear();
        if (!startedForClass) {
            close();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        startedForClass = false;
        close();
    }

    /** Starts the servers (the JUnit callbacks do it; call it yourself outside JUnit). */
    public synchronized MailwrightExtension start() {
        if (running != null) {
            throw new IllegalStateException("already started");
        }
        LogLevels.set(logLevel);
        running = new Running();
        return this;
    }

    /** Stops the servers: returns at once, with every port free and no thread of theirs left. */
    @Override
    public synchronized void close() {
        Running r = running;
        running = null;
        if (r != null) {
            r.close();
        }
    }

    /**
     * Back to an empty server with the same users: empties every mailbox and the outbound queue,
     * forgets what {@link #receivedMessages()}, {@link #transactions()} and {@link #awaitMessages}
     * count, and clears the scripted faults. Users, domains and aliases stay, including those
     * added while running.
     */
    public void reset() {
        faults.clear();
        running().store.purge();
    }

    private Running running() {
        Running r = running;
        if (r == null) {
            throw new IllegalStateException("not started: register the extension with @RegisterExtension");
        }
        return r;
    }

    // ------------------------------------------------------------------ parameters

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
        Class<?> type = p.getParameter().getType();
        return type == MailwrightExtension.class || type == Faults.class || type == MailStore.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext context) {
        Class<?> type = p.getParameter().getType();
        return type == MailwrightExtension.class ? this : type == Faults.class ? faults : store();
    }

    // ------------------------------------------------------------------ what tests use

    /** The scripted faults of both servers. */
    public Faults faults() {
        return faults;
    }

    /** The store behind both servers (users, domains, aliases, mailboxes, queue). */
    public MailStore store() {
        return running().store;
    }

    /** Adds a user while running. */
    public MailwrightExtension addUser(String address, String password) {
        running().store.ensureUser(Address.parse(address), password.toCharArray());
        return this;
    }

    public String host() {
        return HOST;
    }

    /** The MX listener: no AUTH, mail to local users (STARTTLS offered when TLS is on). */
    public int smtpPort() {
        return running().smtp.port(SmtpSettings.Mode.MX);
    }

    /** The submission listener: STARTTLS, then AUTH before MAIL. */
    public int submissionPort() {
        return running().smtp.port(SmtpSettings.Mode.SUBMISSION);
    }

    /** The submissions listener (implicit TLS); only with TLS. */
    public int smtpsPort() {
        requireTls();
        return running().smtp.port(SmtpSettings.Mode.SUBMISSIONS);
    }

    /** POP3 (STLS offered when TLS is on). */
    public int pop3Port() {
        return running().pop3.port();
    }

    /** POP3S (implicit TLS); only with TLS. */
    public int pop3sPort() {
        requireTls();
        return running().pop3.securePort();
    }

    /**
     * The servers' self-signed certificate (for {@code localhost} and {@code 127.0.0.1}); only
     * with TLS. To make one for a server of your own: {@code SelfSignedCertificate.generate(host)}
     * in protocol-core (with BouncyCastle's bcpkix on the class path).
     */
    public X509Certificate certificate() {
        requireTls();
        return running().certificate.certificate();
    }

    /** A client context that trusts the server's certificate and nothing else. */
    public SSLContext clientSslContext() {
        requireTls();
        return running().clientContext;
    }

    private void requireTls() {
        if (!tls) {
            throw new IllegalStateException("TLS is off (withoutTls())");
        }
    }

    /** A Jakarta Mail session for the MX listener: no login, STARTTLS when TLS is on. */
    public Session smtpSession() {
        Properties p = smtp("smtp", smtpPort(), false);
        if (tls) {
            p.put("mail.smtp.starttls.enable", "true");
        }
        return Session.getInstance(p);
    }

    /** A Jakarta Mail session for submission as {@code user}: STARTTLS required (with TLS), AUTH. */
    public Session submissionSession(String user, String password) {
        Properties p = smtp("smtp", submissionPort(), true);
        if (tls) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        return Session.getInstance(p, credentials(user, password));
    }

    /** A Jakarta Mail session for submissions (implicit TLS) as {@code user}. */
    public Session smtpsSession(String user, String password) {
        Properties p = smtp("smtps", smtpsPort(), true);
        return Session.getInstance(p, credentials(user, password));
    }

    /** A Jakarta Mail session for POP3 as {@code user} (STLS required with TLS): {@code session.getStore().connect()}. */
    public Session pop3Session(String user, String password) {
        Properties p = pop3("pop3", pop3Port());
        if (tls) {
            p.put("mail.pop3.starttls.enable", "true");
            p.put("mail.pop3.starttls.required", "true");
        }
        return Session.getInstance(p, credentials(user, password));
    }

    /** A Jakarta Mail session for POP3S as {@code user}. */
    public Session pop3sSession(String user, String password) {
        return Session.getInstance(pop3("pop3s", pop3sPort()), credentials(user, password));
    }

    private Properties smtp(String protocol, int port, boolean auth) {
        Properties p = common(protocol, port);
        p.put("mail.transport.protocol", protocol);
        p.put("mail.transport.protocol.rfc822", protocol); // Transport.send(message) asks for this one
        p.put("mail." + protocol + ".auth", Boolean.toString(auth));
        p.put("mail." + protocol + ".localhost", "client.test");
        return p;
    }

    private Properties pop3(String protocol, int port) {
        Properties p = common(protocol, port);
        p.put("mail.store.protocol", protocol);
        return p;
    }

    private Properties common(String protocol, int port) {
        Properties p = new Properties();
        p.put("mail." + protocol + ".host", HOST);
        p.put("mail." + protocol + ".port", Integer.toString(port));
        String millis = Long.toString(CLIENT_TIMEOUT.toMillis());
        p.put("mail." + protocol + ".connectiontimeout", millis);
        p.put("mail." + protocol + ".timeout", millis);
        if (tls) {
            p.put("mail." + protocol + ".ssl.socketFactory", clientSslContext().getSocketFactory());
        }
        return p;
    }

    private static jakarta.mail.Authenticator credentials(String user, String password) {
        return new jakarta.mail.Authenticator() {
            @Override
            protected PasswordAuthentication getPasswordAuthentication() {
                return new PasswordAuthentication(user, password);
            }
        };
    }

    /**
     * A Commons Net SMTP client connected to the MX listener (greeting read); call
     * {@code execTLS()} for STARTTLS. Needs commons-net on the test classpath.
     */
    public org.apache.commons.net.smtp.SMTPSClient smtpClient() throws IOException {
        return CommonsNet.smtp(tls ? clientSslContext() : null, HOST, smtpPort());
    }

    /** A Commons Net POP3 client connected to the POP3 listener; {@code execTLS()} for STLS. */
    public org.apache.commons.net.pop3.POP3SClient pop3Client() throws IOException {
        return CommonsNet.pop3(tls ? clientSslContext() : null, HOST, pop3Port());
    }

    /**
     * Waits until mailbox {@code address} received {@code count} messages in all, at most
     * {@code timeout}; returns them oldest first.
     *
     * @throws AssertionError when fewer arrived in time (saying how many did)
     */
    public List<ReceivedMessage> awaitMessages(String address, int count, Duration timeout) {
        String key = Address.parse(address).toString().toLowerCase(Locale.ROOT);
        try {
            List<ReceivedMessage> got = running().store.await(m -> m.mailbox().toLowerCase(Locale.ROOT).equals(key),
                    count, timeout);
            if (got.size() < count) {
                throw new AssertionError("expected " + count + " message(s) for " + address + " within " + timeout
                        + ", got " + got.size() + (got.isEmpty() ? "" : ": " + got));
            }
            return got;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for mail", e);
        }
    }

    /** Every message stored so far, per mailbox, oldest first. */
    public List<ReceivedMessage> receivedMessages() {
        return running().store.messages();
    }

    /** The envelope of every transaction stored so far (MAIL FROM, RCPT TO, DSN parameters), oldest first. */
    public List<ReceivedEnvelope> transactions() {
        return running().store.envelopes();
    }

    /** What was sent to other domains: the outbound queue, one entry per remote recipient. Nothing is ever delivered. */
    public List<QueuedMessage> outbound() {
        MailStore memory = running().memory;
        List<QueuedMessage> out = new ArrayList<>();
        for (QueueItem item : memory.queue().list()) {
            try (InputStream in = memory.queue().openContent(item.messageId())) {
                out.add(new QueuedMessage(item.envelope().reversePath().map(Address::toString), item.recipient(),
                        in.readAllBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the running servers

    /** One start: store, certificate, both servers. */
    private final class Running {
        final MailStore memory;
        final RecordingStore store;
        final TestCertificate certificate;
        final SSLContext clientContext;
        final SmtpServer smtp;
        final Pop3Server pop3;

        Running() {
            // a cheap hash on the JDK alone: a test logs in often, and nobody attacks its hashes
            memory = new InMemoryMailStore(Clock.systemUTC(), PasswordHashing.forTests());
            store = new RecordingStore(memory, acceptAnyUser, recordedContentLimit);
            domains.forEach(d -> memory.domains().add(d));
            users.forEach((address, password) -> store.ensureUser(Address.parse(address), password.toCharArray()));
            certificate = tls ? TestCertificate.load() : null;
            clientContext = tls ? certificate.clientContext() : null;
            Authenticator accounts = acceptAnyUser ? acceptingAny(Authenticator.of(store.accounts()))
                    : Authenticator.of(store.accounts());
            AuthThrottle throttle = AuthThrottle.disabled(); // a refused login is answered at once
            SmtpServer.Builder s = SmtpServer.builder()
                    .hostname(hostname)
                    .store(store)
                    .authenticator(accounts)
                    .authThrottle(throttle)
                    .shutdownGrace(Duration.ZERO)
                    .faults(smtpFaults)
                    .settings(b -> b.senderOwnership(senderOwnership).authWithoutTls(!tls))
                    .mx(0).submission(0);
            if (tls) {
                s.tls(certificate.serverTls()).submissions(0);
            }
            smtp = s.start();
            try {
                Pop3Server.Builder p = Pop3Server.builder()
                        .hostname(hostname)
                        .store(store)
                        .authenticator(accounts)
                        .authThrottle(throttle)
                        .shutdownGrace(Duration.ZERO)
                        .faults(pop3Faults)
                        .settings(b -> b.plaintextWithoutTls(!tls));
                if (tls) {
                    p.tls(certificate.serverTls()).securePort(0);
                }
                pop3 = p.start();
            } catch (RuntimeException e) {
                smtp.close();
                throw e;
            }
        }

        /** Logging in as an unknown user creates it with that password. */
        private Authenticator acceptingAny(Authenticator accounts) {
            return new Authenticator() {
                @Override
                public Optional<Account> authenticate(String username, char[] password) {
                    if (username.indexOf('@') > 0 && accounts.account(username).isEmpty()) {
                        store.ensureUser(Address.parse(username), password);
                    }
                    return accounts.authenticate(username, password);
                }

                @Override
                public Optional<ScramCredentials> scramCredentials(String username) {
                    return accounts.scramCredentials(username);
                }

                @Override
                public Optional<Account> account(String username) {
                    return accounts.account(username);
                }

                @Override
                public Optional<String> apopSecret(String username) {
                    return accounts.apopSecret(username);
                }
            };
        }

        void close() {
            try {
                smtp.close();
            } finally {
                pop3.close();
                memory.close();
            }
        }
    }
}
