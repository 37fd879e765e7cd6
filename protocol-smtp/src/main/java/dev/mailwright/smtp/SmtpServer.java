package dev.mailwright.smtp;

import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.delivery.HandlerMessageSink;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.delivery.StoreMessageSink;
import dev.mailwright.store.Address;
import dev.mailwright.smtp.policy.SenderOwnershipPolicy;
import dev.mailwright.smtp.policy.SmtpPolicies;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.smtp.transport.SmtpListeners;
import dev.mailwright.store.MailStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.srs.SenderRewriting;
import dev.mailwright.protocol.tls.TlsConfig;

/**
 * An SMTP server with one or more listeners, started and ready to accept. Its builder reads as
 * {@code Pop3Server}'s (ADR 0035): loopback and free ports by default, the same names for what
 * both servers have, the protocol's own tuning through {@link Builder#settings}, {@link #close()}.
 *
 * <pre>{@code
 * try (SmtpServer smtp = SmtpServer.builder()
 *         .store(store)                  // or .handler(session -> new MyHandler())
 *         .tls(TlsConfig.fromPem(chain, key))
 *         .mx(0).submission(0)           // port 0: any free port
 *         .start()) {
 *     int port = smtp.port(SmtpSettings.Mode.MX);
 * }
 * }</pre>
 */
public final class SmtpServer implements AutoCloseable {

    private final Map<SmtpSettings.Mode, Listener> listeners;

    private SmtpServer(Map<SmtpSettings.Mode, Listener> listeners) {
        this.listeners = listeners;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The port of the first listener. */
    public int port() {
        return listeners.values().iterator().next().port();
    }

    /** The port of the listener of that kind. */
    public int port(SmtpSettings.Mode mode) {
        Listener l = listeners.get(mode);
        if (l == null) {
            throw new NoSuchElementException("no " + mode + " listener");
        }
        return l.port();
    }

    public List<Listener> listeners() {
        return List.copyOf(listeners.values());
    }

    /** Stops every listener and closes open connections. */
    @Override
    public void close() {
        listeners.values().forEach(Listener::stop);
    }

    /** Configures a server; {@link #start()} binds it. */
    public static final class Builder {
        private String hostname = "localhost";
        private InetAddress bind = InetAddress.getLoopbackAddress();
        private MailStore store;
        private MailHandler.Factory handler;
        private Predicate<String> localDomains = domain -> true;
        private dev.mailwright.protocol.Authenticator authenticator;
        private AuthThrottle throttle;
        private TlsConfig tls;
        private final Map<SmtpSettings.Mode, Integer> ports = new LinkedHashMap<>();
        private UnaryOperator<SmtpSettings.Builder> settings = UnaryOperator.identity();
        private final List<SmtpPolicy> policies = new ArrayList<>();
        private Clock clock = Clock.systemUTC();
        private Optional<SenderRewriting> srs = Optional.empty();
        private ProtocolMetrics metrics = ProtocolMetrics.NONE;
        private Duration shutdownGrace;
        private FaultHook faults = FaultHook.NONE;

        private Builder() {
        }

        /** The name in the greeting, EHLO and Received headers. */
        public Builder hostname(String name) {
            this.hostname = name;
            return this;
        }

        /** The address to listen on (default: loopback). */
        public Builder bind(InetAddress address) {
            this.bind = Objects.requireNonNull(address);
            return this;
        }

        /** Deliver into the store: recipients resolved, quota checked, remote recipients queued. */
        public Builder store(MailStore store) {
            this.store = store;
            return this;
        }

        /**
         * With {@link #store}: rewrite the sender of mail that aliases forward off-site, and return
         * bounces to the rewritten addresses to the original senders (SRS, ADR 0027).
         */
        public Builder senderRewriting(SenderRewriting srs) {
            this.srs = Optional.of(srs);
            return this;
        }

        /** Deliver to the caller's handler instead of a store (one handler per mail transaction). */
        public Builder handler(MailHandler.Factory handler) {
            this.handler = handler;
            return this;
        }

        /** With a handler: which domains are ours (others need AUTH, as relaying). Default: every domain. */
        public Builder localDomains(Predicate<String> localDomains) {
            this.localDomains = localDomains;
            return this;
        }

        /**
         * The accounts AUTH checks (SCRAM-SHA-256, PLAIN, LOGIN). Default: the store's; with a
         * handler and no authenticator, AUTH is not offered.
         */
        public Builder authenticator(dev.mailwright.protocol.Authenticator authenticator) {
            this.authenticator = authenticator;
            return this;
        }

        /**
         * Holds and refuses AUTH after failed attempts (per client address, IPv6 /64 and
         * account); {@link AuthThrottle#standard()} by default. Give the same instance to every
         * server that should count failures together (POP3's too).
         */
        public Builder authThrottle(AuthThrottle throttle) {
            this.throttle = Objects.requireNonNull(throttle);
            return this;
        }

        /**
         * TLS for STARTTLS and the submissions listener: {@code TlsConfig.fromPem(chain, key)},
         * or {@code SelfSignedCertificate.generate(host).tlsConfig()} for tests.
         */
        public Builder tls(TlsConfig tls) {
            this.tls = tls;
            return this;
        }

        /** An MX listener (port 25 in production); 0 for any free port. */
        public Builder mx(int port) {
            ports.put(SmtpSettings.Mode.MX, port);
            return this;
        }

        /** A submission listener (587: STARTTLS, AUTH before MAIL). */
        public Builder submission(int port) {
            ports.put(SmtpSettings.Mode.SUBMISSION, port);
            return this;
        }

        /** A submissions listener (465: implicit TLS). */
        public Builder submissions(int port) {
            ports.put(SmtpSettings.Mode.SUBMISSIONS, port);
            return this;
        }

        /** Adjusts the settings every listener starts from (limits, timeouts, bare line ends). */
        public Builder settings(UnaryOperator<SmtpSettings.Builder> settings) {
            this.settings = Objects.requireNonNull(settings);
            return this;
        }

        /** Adds policy hooks after the standard ones. */
        public Builder policy(SmtpPolicy hook) {
            policies.add(hook);
            return this;
        }

        /**
         * On close, how long a transaction in progress may take to finish (default: the settings',
         * 30 s; zero for tests, where close returns at once).
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

        /** Where sessions, commands, logins and messages are counted (default: nowhere). */
        public Builder metrics(ProtocolMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics);
            return this;
        }

        /** The clock of Received headers and the queue (tests fix it). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** Binds every listener (an MX listener on a free port if none was asked for). */
        public SmtpServer start() {
            if ((store == null) == (handler == null)) {
                throw new IllegalStateException("give either a store or a handler");
            }
            if (ports.isEmpty()) {
                ports.put(SmtpSettings.Mode.MX, 0);
            }
            Optional<Address> postmaster = settings.apply(SmtpSettings.builder()).build().postmaster();
            MessageSink.Factory sinks = store != null ? StoreMessageSink.factory(store, clock, postmaster, srs)
                    : HandlerMessageSink.factory(handler);
            AuthThrottle t = throttle != null ? throttle : AuthThrottle.standard();
            Authenticator auth = authenticator != null ? Authenticator.of(authenticator, t)
                    : store != null ? Authenticator.of(dev.mailwright.protocol.Authenticator.of(store.accounts()), t)
                    : Authenticator.NONE;
            Map<SmtpSettings.Mode, Listener> started = new LinkedHashMap<>();
            try {
                for (Map.Entry<SmtpSettings.Mode, Integer> e : ports.entrySet()) {
                    SmtpSettings.Builder b = settings.apply(SmtpSettings.builder().hostname(hostname)).mode(e.getKey());
                    if (shutdownGrace != null) {
                        b.shutdownGrace(shutdownGrace);
                    }
                    SmtpSettings s = b.build();
                    SmtpPolicy policy = store != null
                            ? SmtpPolicies.standard(s, store, srs.map(SenderRewriting::forwardingDomain), policies)
                            : SmtpPolicies.standard(s, localDomains, SenderOwnershipPolicy.exactAddress(), policies);
                    Listener listener = SmtpListeners.create(s, new InetSocketAddress(bind, e.getValue()), policy, sinks,
                            auth, Optional.ofNullable(tls), clock, metrics, faults);
                    started.put(e.getKey(), listener);
                    listener.start();
                }
            } catch (IOException | RuntimeException e) {
                started.values().forEach(Listener::stop);
                throw e instanceof IOException io ? new UncheckedIOException("cannot listen", io) : (RuntimeException) e;
            }
            return new SmtpServer(started);
        }
    }
}
