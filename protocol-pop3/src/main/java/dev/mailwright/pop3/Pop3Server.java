package dev.mailwright.pop3;

import dev.mailwright.pop3.session.MaildropLeases;
import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.pop3.transport.Pop3Listeners;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.store.MailStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * An embeddable POP3 server.
 *
 * <pre>{@code
 * try (Pop3Server pop3 = Pop3Server.builder()
 *         .store(store)
 *         .tls(TlsConfig.fromPem(chain, key))      // STLS, and POP3S with securePort(0)
 *         .settings(s -> s.apop(true).last(true))  // the protocol's own tuning
 *         .start()) {                               // port 0 (any free port) unless port(n) says otherwise
 *     int port = pop3.port();
 * }
 * }</pre>
 *
 * <p>The builder reads as {@code SmtpServer}'s (ADR 0035): loopback and free ports by default,
 * {@link Builder#bind(InetAddress)}, {@link Builder#authenticator}, {@link Builder#tls},
 * {@link Builder#shutdownGrace}, {@link Builder#faults}, {@link Builder#settings(UnaryOperator)},
 * and {@link #close()} to stop.
 */
public final class Pop3Server implements AutoCloseable {

    private final List<Listener> listeners;

    private final Pop3Context context;

    private Pop3Server(List<Listener> listeners, Pop3Context context) {
        this.listeners = listeners;
        this.context = context;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port of the POP3 listener (STLS when TLS is configured). */
    public int port() {
        return listeners.get(0).port();
    }

    /**
     * The port of the POP3S listener.
     *
     * @throws NoSuchElementException when none was asked for ({@code SmtpServer.port(Mode)} says the same)
     */
    public int securePort() {
        return listeners.stream().filter(l -> l.name().equals("pop3s")).findFirst()
                .orElseThrow(() -> new NoSuchElementException("no pop3s listener")).port();
    }

    public List<Listener> listeners() {
        return listeners;
    }

    /** The heartbeat of the sessions' maildrop locks (tests beat it on their own clock). */
    MaildropLeases leases() {
        return context.leases();
    }

    /**
     * Stops accepting, ends open sessions (deleting nothing that QUIT did not commit) within the
     * shutdown grace, and ends every thread the server started.
     */
    @Override
    public void close() {
        listeners.forEach(Listener::stop);
        context.close();
    }

    /** A random RFC 1939 timestamp: {@code <random.millis@host>}. */
    static Supplier<String> randomTimestamps(String hostname) {
        SecureRandom random = new SecureRandom();
        return () -> {
            byte[] b = new byte[8];
            random.nextBytes(b);
            return "<" + HexFormat.of().formatHex(b) + "." + System.currentTimeMillis() + "@" + hostname + ">";
        };
    }

    static String nodeName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Configures a server; {@link #start()} binds it. Reads as {@code SmtpServer.Builder}: the same
     * names for what both servers have, and the protocol's own tuning through {@link #settings}.
     */
    public static final class Builder {
        private String hostname = "localhost";
        private InetAddress bind = InetAddress.getLoopbackAddress();
        private MailStore store;
        private Authenticator authenticator;
        private AuthThrottle throttle;
        private TlsConfig tls;
        private int port;
        private OptionalInt securePort = OptionalInt.empty();
        private UnaryOperator<Pop3Settings.Builder> settings = UnaryOperator.identity();
        private Duration shutdownGrace;
        private FaultHook faults = FaultHook.NONE;
        private ProtocolMetrics metrics = ProtocolMetrics.NONE;
        private Clock clock = Clock.systemUTC();
        private Supplier<String> apopTimestamps;

        private Builder() {
        }

        /** The name in the greeting's APOP timestamp. */
        public Builder hostname(String name) {
            this.hostname = name;
            return this;
        }

        /** The address the listeners listen on (default: loopback). */
        public Builder bind(InetAddress address) {
            this.bind = Objects.requireNonNull(address);
            return this;
        }

        /** The maildrops, and by default the accounts logins are checked against. */
        public Builder store(MailStore store) {
            this.store = store;
            return this;
        }

        /** The accounts logins are checked against (USER/PASS, APOP, SASL). Default: the store's. */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /**
         * Holds and refuses after failed logins (per client address, IPv6 /64 and account);
         * {@link AuthThrottle#standard()} by default. Give the same instance to every server that
         * should count failures together (SMTP's too).
         */
        public Builder authThrottle(AuthThrottle throttle) {
            this.throttle = Objects.requireNonNull(throttle);
            return this;
        }

        /**
         * TLS for STLS and the POP3S listener: {@code TlsConfig.fromPem(chain, key)}, or
         * {@code SelfSignedCertificate.generate(host).tlsConfig()} for tests.
         */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /** The POP3 listener (110 in production; STLS with {@link #tls}); 0, the default, for any free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** A POP3S listener (995: implicit TLS; needs {@link #tls}); 0 for any free port. */
        public Builder securePort(int port) {
            this.securePort = OptionalInt.of(port);
            return this;
        }

        /** Adjusts the settings the server starts from (plaintext logins, APOP, LAST, EXPIRE, limits). */
        public Builder settings(UnaryOperator<Pop3Settings.Builder> settings) {
            this.settings = Objects.requireNonNull(settings);
            return this;
        }

        /**
         * On close, how long open sessions may take to end by themselves (default: the settings',
         * 5 s; zero for tests, where close returns at once).
         */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace);
            return this;
        }

        /** Faults to inject ({@code mailwright-test} scripts them); none by default. */
        public Builder faults(FaultHook faults) {
            this.faults = Objects.requireNonNull(faults);
            return this;
        }

        /** Where sessions, commands, logins and transfers are counted (default: nowhere). */
        public Builder metrics(ProtocolMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics);
            return this;
        }

        /** The clock for LOGIN-DELAY and EXPIRE (tests move it by hand). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Where greeting timestamps come from (tests fix it to reproduce RFC 1939's APOP example). */
        public Builder apopTimestamps(Supplier<String> timestamps) {
            this.apopTimestamps = timestamps;
            return this;
        }

        /** The settings {@link #start()} uses: the defaults, the hostname, {@link #settings}, then the shutdown grace. */
        public Pop3Settings settings() {
            Pop3Settings.Builder b = settings.apply(Pop3Settings.builder().hostname(hostname));
            if (shutdownGrace != null) {
                b.shutdownGrace(shutdownGrace);
            }
            return b.build();
        }

        /** What the sessions share, without listeners (tests drive sessions with it directly). */
        public Pop3Context context() {
            Objects.requireNonNull(store, "store");
            Pop3Settings s = settings();
            return new Pop3Context(store, authenticator != null ? authenticator : Authenticator.of(store.accounts()), s,
                    throttle != null ? throttle : AuthThrottle.standard(), clock,
                    apopTimestamps != null ? apopTimestamps : randomTimestamps(s.hostname()), nodeName(), metrics)
                    .withFaults(faults);
        }

        /** Binds and starts; returns the running server. */
        public Pop3Server start() {
            if (securePort.isPresent() && tls == null) {
                throw new IllegalStateException("POP3S needs tls(...)");
            }
            Pop3Context context = context();
            List<Listener> listeners = Pop3Listeners.create(context, Optional.of(new InetSocketAddress(bind, port)),
                    securePort.stream().mapToObj(p -> new InetSocketAddress(bind, p)).findFirst(), Optional.ofNullable(tls));
            try {
                for (Listener l : listeners) {
                    l.start();
                }
            } catch (IOException e) {
                listeners.forEach(Listener::stop);
                context.close();
                throw new UncheckedIOException("cannot start POP3: " + e.getMessage(), e);
            }
            return new Pop3Server(listeners, context);
        }
    }
}
