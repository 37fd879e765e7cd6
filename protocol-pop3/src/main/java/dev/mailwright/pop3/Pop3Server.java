package dev.mailwright.pop3;

import dev.mailwright.pop3.session.MaildropLeases;
import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.pop3.transport.Pop3Listeners;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.Limits;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.store.MailStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;

/**
 * An embeddable POP3 server.
 *
 * <pre>{@code
 * try (Pop3Server pop3 = Pop3Server.builder()
 *         .store(store)
 *         .tls(TlsConfig.fromPem(chain, key)) // STLS, and POP3S with securePort(0)
 *         .start()) {                          // port 0 (any free port) unless port(n) says otherwise
 *     int port = pop3.port();
 * }
 * }</pre>
 *
 * <p>The builder reads as {@code SmtpServer}'s: loopback and a free port by default, {@link
 * Builder#bind(InetAddress)}, {@link Builder#shutdownGrace}, {@link Builder#faults}, and
 * {@link #close()} to stop.
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

    /** The plain POP3 port (STLS when TLS is configured). */
    public int port() {
        return listeners.get(0).port();
    }

    /** The POP3S port, if configured. */
    public OptionalInt securePort() {
        return listeners.size() > 1 ? OptionalInt.of(listeners.get(1).port()) : OptionalInt.empty();
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

    /** Settings start from {@link Pop3Settings#DEFAULT}; validated when the server starts. */
    public static final class Builder {
        private MailStore store;
        private Authenticator authenticator;
        private AuthThrottle throttle;
        private Clock clock = Clock.systemUTC();
        private ProtocolMetrics metrics = ProtocolMetrics.NONE;
        private Supplier<String> apopTimestamps;
        private String hostname;
        private String bindAddress;
        private int port;
        private Duration shutdownGrace;
        private FaultHook faults = FaultHook.NONE;
        private OptionalInt securePort;
        private String secureBindAddress;
        private Optional<TlsConfig> tls;
        private boolean plaintextWithoutTls;
        private boolean apop;
        private boolean last;
        private Optional<Duration> expire;
        private Duration loginDelay;
        private Duration lease;
        private Limits limits;
        private int maxAuthFailures;

        private Builder() {
            settings(Pop3Settings.DEFAULT);
            port = 0; // an embedded server takes a free port unless told otherwise
        }

        public Builder store(MailStore store) {
            this.store = store;
            return this;
        }

        /** Checks credentials; by default the store's accounts. */
        public Builder authenticator(Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /** Takes every setting from {@code s}. */
        public Builder settings(Pop3Settings s) {
            hostname = s.hostname();
            bindAddress = s.bindAddress();
            port = s.port();
            securePort = s.securePort();
            secureBindAddress = s.secureBindAddress();
            tls = s.tls();
            plaintextWithoutTls = s.plaintextWithoutTls();
            apop = s.apop();
            last = s.last();
            expire = s.expire();
            loginDelay = s.loginDelay();
            lease = s.lease();
            limits = s.limits();
            maxAuthFailures = s.maxAuthFailures();
            shutdownGrace = s.shutdownGrace();
            return this;
        }

        public Pop3Settings settings() {
            return new Pop3Settings(hostname, bindAddress, port, securePort, secureBindAddress, tls, plaintextWithoutTls, apop, last,
                    expire, loginDelay, lease, limits, maxAuthFailures, shutdownGrace);
        }

        public Builder hostname(String hostname) {
            this.hostname = hostname;
            return this;
        }

        /** The address both listeners listen on (default: loopback). */
        public Builder bind(InetAddress address) {
            this.bindAddress = address.getHostAddress();
            this.secureBindAddress = bindAddress;
            return this;
        }

        /** On close, how long open sessions may take to end by themselves (default 5 s; zero for tests). */
        public Builder shutdownGrace(Duration grace) {
            this.shutdownGrace = Objects.requireNonNull(grace);
            return this;
        }

        /** Faults to inject ({@code mailwright-test} scripts them); none by default. */
        public Builder faults(FaultHook faults) {
            this.faults = Objects.requireNonNull(faults);
            return this;
        }

        /** The plain POP3 port; 0 picks a free one. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Also listen for POP3S (implicit TLS); 0 picks a free port. Needs {@link #tls}. */
        public Builder securePort(int port) {
            this.securePort = OptionalInt.of(port);
            return this;
        }

        /** TLS material: enables STLS, and POP3S with {@link #securePort}. */
        public Builder tls(TlsConfig tls) {
            this.tls = Optional.of(tls);
            return this;
        }

        /** Allows passwords in the clear on unencrypted connections (off by default). */
        public Builder plaintextWithoutTls(boolean allowed) {
            this.plaintextWithoutTls = allowed;
            return this;
        }

        public Builder apop(boolean enabled) {
            this.apop = enabled;
            return this;
        }

        public Builder last(boolean enabled) {
            this.last = enabled;
            return this;
        }

        /** Server default EXPIRE; empty is NEVER. */
        public Builder expire(Optional<Duration> expire) {
            this.expire = expire;
            return this;
        }

        public Builder loginDelay(Duration delay) {
            this.loginDelay = delay;
            return this;
        }

        public Builder lease(Duration lease) {
            this.lease = lease;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        /** Failed logins on one connection after which it is closed. */
        public Builder maxAuthFailures(int count) {
            this.maxAuthFailures = count;
            return this;
        }

        /**
         * Holds and refuses after failed logins (per client address, IPv6 /64 and account);
         * {@link AuthThrottle#standard()} by default. Give one instance to every server that
         * should count failures together (SMTP's too).
         */
        public Builder authThrottle(AuthThrottle throttle) {
            this.throttle = throttle;
            return this;
        }

        /** The clock for LOGIN-DELAY and EXPIRE (tests move it by hand). */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Where sessions, commands, logins and transfers are counted (default: nowhere). */
        public Builder metrics(ProtocolMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics);
            return this;
        }

        /** Where greeting timestamps come from (tests fix it to reproduce RFC 1939's APOP example). */
        public Builder apopTimestamps(Supplier<String> timestamps) {
            this.apopTimestamps = timestamps;
            return this;
        }

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
            Pop3Context context = context();
            List<Listener> listeners = Pop3Listeners.create(context);
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
