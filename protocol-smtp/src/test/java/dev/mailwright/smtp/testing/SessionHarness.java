package dev.mailwright.smtp.testing;

import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.auth.Authenticator;

import dev.mailwright.smtp.command.SmtpCommands;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.delivery.StoreMessageSink;
import dev.mailwright.smtp.policy.SmtpPolicies;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.smtp.session.SmtpDispatcher;
import dev.mailwright.smtp.session.SmtpSession;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Quota;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.password.PasswordHashing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;

/** A session over a fake channel and an in-memory store with a few users, for session-level tests. */
public final class SessionHarness {

    public static final String ALICE_PASSWORD = "alice-password";

    public final MailStore store;
    public final FakeConnection channel;
    public final SmtpSession session;
    private Feed feed = Feed.WHOLE;
    private ByteBuffer pending = ByteBuffer.allocate(0);

    /** How the client's octets reach the session. */
    public enum Feed {
        /** Each write in one {@code received}. */
        WHOLE,
        /** One octet per {@code received}, to prove framing never depends on how reads split. */
        OCTETS,
        /**
         * As the transport does: what {@link SmtpSession#receivedWithoutBlocking} takes (on the I/O
         * thread), the rest in one {@code received} (on a worker).
         */
        SPLIT
    }

    private SessionHarness(MailStore store, SmtpSettings settings, MessageSink.Factory sinks, SmtpPolicy extra,
                           boolean implicitTls) {
        this.store = store;
        this.channel = new FakeConnection(new InetSocketAddress("192.0.2.7", 40000));
        channel.tls(implicitTls);
        Authenticator auth = Authenticator.of(dev.mailwright.protocol.Authenticator.of(store.accounts()),
                AuthThrottle.standard()); // the connection records holds without waiting
        SmtpPolicy policy = SmtpPolicies.standard(settings, store, List.of(extra));
        this.session = new SmtpSession(settings, new SmtpDispatcher(SmtpCommands.forListener(settings),
                ProtocolMetrics.NONE), policy, sinks, auth, Clock.systemUTC(), ProtocolMetrics.NONE);
        session.started(channel);
    }

    public static SmtpSettings.Builder settings() {
        return SmtpSettings.builder().hostname("mx.example.org");
    }

    public static SessionHarness of(SmtpSettings settings) {
        return of(settings, SmtpPolicy.NONE);
    }

    public static SessionHarness of(SmtpSettings settings, SmtpPolicy extra) {
        MailStore store = fixtureStore();
        return new SessionHarness(store, settings, StoreMessageSink.factory(store, Clock.systemUTC(), settings.postmaster()), extra,
                settings.mode() == SmtpSettings.Mode.SUBMISSIONS);
    }

    public static SessionHarness withSinks(SmtpSettings settings, MailStore store, MessageSink.Factory sinks) {
        return new SessionHarness(store, settings, sinks, SmtpPolicy.NONE, settings.mode() == SmtpSettings.Mode.SUBMISSIONS);
    }

    /** example.org with alice, bob, a full mailbox, aliases and a remote forward; SCRAM off (the default). */
    public static MailStore fixtureStore() {
        return fixtureStore(false);
    }

    /** {@link #fixtureStore()}, keeping SCRAM-SHA-256 keys (600,000 iterations) when {@code scram}. */
    public static MailStore fixtureStore(boolean scram) {
        // salted SHA-256: an Argon2 check per AUTH was a tenth of a fuzz run's time, and no test here is about the scheme
        PasswordHashing hashing = scram ? new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()).withScram(600_000)
                : PasswordHashing.forTests();
        MailStore store = new InMemoryMailStore(Clock.systemUTC(), hashing);
        store.domains().add("example.org");
        store.domains().add("xn--bcher-kva.example");
        store.accounts().add(Address.parse("alice@example.org"), ALICE_PASSWORD.toCharArray());
        store.accounts().add(Address.parse("bob@example.org"), "bob-password".toCharArray());
        store.accounts().add(Address.parse("full@example.org"), "full-password".toCharArray());
        store.accounts().setQuota(Address.parse("full@example.org"), new Quota(0, 1));
        store.accounts().add(Address.parse("jürgen@example.org"), "jurgen-password".toCharArray());
        store.aliases().add("postmaster@example.org", List.of(Address.parse("alice@example.org")));
        store.aliases().add("team@example.org", List.of(Address.parse("alice@example.org"), Address.parse("bob@example.org")));
        store.aliases().add("forward@example.org", List.of(Address.parse("someone@elsewhere.test")));
        // fill the full mailbox
        try (var d = store.deliveries().begin(dev.mailwright.store.Envelope.of(java.util.Optional.empty(), java.time.Instant.now()))) {
            d.addLocal(store.recipients().resolve(Address.parse("full@example.org")).local().get(0), 0);
            d.content().write("Subject: filler\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            d.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return store;
    }

    public SessionHarness feed(Feed how) {
        this.feed = how;
        return this;
    }

    /**
     * Sends bytes as the client (one write), as the transport hands them over: what the session
     * leaves unconsumed is offered again ahead of the next octets; after STARTTLS the rest of the
     * write is plaintext sent before the handshake and is dropped, then the handshake completes.
     */
    public SessionHarness send(byte[] bytes) {
        switch (feed) {
            case WHOLE -> offer(bytes, false);
            case OCTETS -> {
                for (byte b : bytes) {
                    offer(new byte[] {b}, false);
                }
            }
            case SPLIT -> offer(bytes, true);
        }
        if (channel.takeTlsRequest()) {
            session.tlsStarted();
        }
        return this;
    }

    private void offer(byte[] bytes, boolean ioThreadFirst) {
        if (channel.tlsRequested()) {
            pending = ByteBuffer.allocate(0); // plaintext after STARTTLS is never read
            return;
        }
        ByteBuffer input = ByteBuffer.allocate(pending.remaining() + bytes.length);
        input.put(pending).put(bytes).flip();
        if (ioThreadFirst) {
            session.receivedWithoutBlocking(input);
        }
        if (input.hasRemaining() && !channel.tlsRequested()) {
            session.received(input);
        }
        pending = channel.tlsRequested() ? ByteBuffer.allocate(0) : input;
    }

    public SessionHarness send(String text) {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends lines, each ended by CRLF. */
    public SessionHarness lines(String... lines) {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append("\r\n");
        }
        return send(sb.toString());
    }

    public String take() {
        return channel.take();
    }

    /** Messages in a mailbox. */
    public int count(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", java.time.Duration.ofSeconds(5))) {
            return drop.messages().size();
        }
    }

    /** The content of the newest message in a mailbox. */
    public String newest(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", java.time.Duration.ofSeconds(5))) {
            var messages = drop.messages();
            try (InputStream in = drop.open(messages.get(messages.size() - 1).uid())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toString(StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
