package dev.mailwright.outbound;

import dev.mailwright.outbound.mtasts.MtaStsPolicies;
import dev.mailwright.outbound.tlsrpt.TlsResults;
import dev.mailwright.protocol.srs.SenderRewriting;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How the {@link OutboundWorker} delivers: how many deliveries at once, the claim lease, the
 * retry schedule, warnings and expiry, SMTP timeouts and an optional smarthost. Immutable;
 * {@link #builder(String)} starts from the defaults.
 *
 * @param hostname          our name in EHLO, the DSN's Reporting-MTA and its From address
 * @param concurrency       deliveries (one message to one destination each) running at once
 * @param perDestination    deliveries to one destination domain at once
 * @param batchSize         queue items claimed per poll
 * @param pollInterval      how often an idle worker looks for due items (besides {@link OutboundWorker#wakeUp()})
 * @param lease             how long a claimed item stays ours; longer than the longest delivery
 * @param firstRetry        the delay before the first retry; each further retry doubles it
 * @param maxRetryInterval  the cap on the delay between retries
 * @param maxAge            a message not delivered this long after it was queued is returned to its sender
 * @param delayWarningAfter when the sender is told, once, that delivery is delayed; empty: never
 * @param timeouts          connect and per-command timeouts (RFC 5321 4.5.3.2)
 * @param mxPort            the port of MX hosts (25; tests use another)
 * @param smarthost         relay all mail through this host, if set
 * @param smarthosts        relay mail for these domains (lower case) through these hosts
 * @param shutdownGrace     how long {@link OutboundWorker#close()} lets running deliveries finish
 * @param bounceLimits      how many DSNs for mail from unauthenticated sources are sent (ADR 0027)
 * @param senderRewriting   how forwarded mail's senders were rewritten (SRS), to return its DSNs
 *                          to the original sender; empty if we do not rewrite
 * @param mtaSts            MTA-STS policies of destination domains (RFC 8461); empty: none looked up
 * @param trustStore        the trust anchors MX certificates are checked against (MTA-STS,
 *                          REQUIRETLS, TLS-RPT); empty: the JDK's
 * @param tlsResults        where the TLS outcome of each MX connection is told (TLS-RPT)
 */
public record OutboundConfig(String hostname, int concurrency, int perDestination, int batchSize, Duration pollInterval,
                             Duration lease, Duration firstRetry, Duration maxRetryInterval, Duration maxAge,
                             Optional<Duration> delayWarningAfter, Timeouts timeouts, int mxPort,
                             Optional<Smarthost> smarthost, Map<String, Smarthost> smarthosts, Duration shutdownGrace,
                             BounceLimits bounceLimits, Optional<SenderRewriting> senderRewriting,
                             Optional<MtaStsPolicies> mtaSts, Optional<KeyStore> trustStore, TlsResults tlsResults) {

    public OutboundConfig {
        Objects.requireNonNull(hostname, "hostname");
        if (hostname.isEmpty() || hostname.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("hostname must be a printable ASCII name: " + hostname);
        }
        if (concurrency <= 0 || perDestination <= 0 || batchSize <= 0 || mxPort <= 0 || mxPort > 65535) {
            throw new IllegalArgumentException("concurrency, per-destination limit, batch size and port must be positive");
        }
        for (Duration d : new Duration[] {pollInterval, lease, firstRetry, maxRetryInterval, maxAge}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("durations must be positive");
            }
        }
        if (maxRetryInterval.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("the retry cap is shorter than the first retry");
        }
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(delayWarningAfter, "delayWarningAfter");
        Objects.requireNonNull(smarthost, "smarthost");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(bounceLimits, "bounceLimits");
        Objects.requireNonNull(senderRewriting, "senderRewriting");
        Objects.requireNonNull(mtaSts, "mtaSts");
        Objects.requireNonNull(trustStore, "trustStore");
        Objects.requireNonNull(tlsResults, "tlsResults");
        smarthosts = Map.copyOf(smarthosts);
    }

    public static Builder builder(String hostname) {
        return new Builder(hostname);
    }

    /** The smarthost for mail to this domain, if any (a per-domain one first, then the one for all mail). */
    public Optional<Smarthost> smarthostFor(String domain) {
        Smarthost perDomain = smarthosts.get(domain.toLowerCase(Locale.ROOT));
        return perDomain != null ? Optional.of(perDomain) : smarthost;
    }

    /**
     * SMTP client timeouts. The defaults are RFC 5321 4.5.3.2's: 5 minutes for the greeting,
     * MAIL and RCPT, 2 minutes for the DATA command, 3 minutes per data block, 10 minutes for
     * the reply to the final dot; the connect timeout is ours.
     */
    public record Timeouts(Duration connect, Duration greeting, Duration mail, Duration rcpt, Duration dataInit,
                           Duration dataBlock, Duration dataTermination) {

        public static Timeouts rfc5321() {
            return new Timeouts(Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(5),
                    Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(10));
        }

        /** Every timeout the same (tests). */
        public static Timeouts all(Duration d) {
            return new Timeouts(d, d, d, d, d, d, d);
        }
    }

    /**
     * The most DSNs sent per {@code window} for mail from unauthenticated sources (the MX), per
     * original sender address, per sender domain, and in all; what is over a limit is not sent
     * (logged, counted as dropped). Counted by each worker on its own (ADR 0027).
     */
    public record BounceLimits(int perSender, int perSenderDomain, int total, Duration window) {

        public BounceLimits {
            if (perSender < 0 || perSenderDomain < 0 || total < 0) {
                throw new IllegalArgumentException("bounce limits must not be negative");
            }
            if (window.isNegative() || window.isZero()) {
                throw new IllegalArgumentException("the bounce limit window must be positive");
            }
        }

        /** 10 per sender, 50 per sender domain, 500 in all, per hour. */
        public static BounceLimits defaults() {
            return new BounceLimits(10, 50, 500, Duration.ofHours(1));
        }
    }

    /** How to talk TLS to a smarthost. */
    public enum TlsMode {
        /** TLS from the first byte (port 465, RFC 8314). */
        IMPLICIT,
        /** STARTTLS, required: no mail goes over a connection that could not be encrypted. */
        STARTTLS
    }

    /**
     * A relay host that takes our outbound mail. TLS is always required; AUTH (PLAIN, else LOGIN)
     * when a username is given.
     *
     * @param verifyCertificate check the host's certificate against the JDK's trust store and its name
     */
    public record Smarthost(String host, int port, TlsMode tls, Optional<String> username, Optional<String> password,
                            boolean verifyCertificate) {

        public Smarthost {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(tls, "tls");
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("bad smarthost port " + port);
            }
            if (username.isPresent() != password.isPresent()) {
                throw new IllegalArgumentException("smarthost username and password go together");
            }
        }

        /** A smarthost with STARTTLS on the submission port and verified certificates, no AUTH. */
        public static Smarthost of(String host, int port, TlsMode tls) {
            return new Smarthost(host, port, tls, Optional.empty(), Optional.empty(), true);
        }

        public Smarthost withAuth(String username, String password) {
            return new Smarthost(host, port, tls, Optional.of(username), Optional.of(password), verifyCertificate);
        }

        public Smarthost withVerifyCertificate(boolean verify) {
            return new Smarthost(host, port, tls, username, password, verify);
        }

        @Override
        public String toString() {
            return "Smarthost[" + host + ":" + port + ", " + tls + username.map(u -> ", user " + u).orElse("") + "]";
        }
    }

    /** Builds a config; every setting has a default. */
    public static final class Builder {
        private final String hostname;
        private int concurrency = 16;
        private int perDestination = 4;
        private int batchSize = 50;
        private Duration pollInterval = Duration.ofSeconds(10);
        private Duration lease = Duration.ofMinutes(30);
        private Duration firstRetry = Duration.ofMinutes(5);
        private Duration maxRetryInterval = Duration.ofHours(4);
        private Duration maxAge = Duration.ofDays(5);
        private Optional<Duration> delayWarningAfter = Optional.of(Duration.ofHours(4));
        private Timeouts timeouts = Timeouts.rfc5321();
        private int mxPort = 25;
        private Optional<Smarthost> smarthost = Optional.empty();
        private final Map<String, Smarthost> smarthosts = new HashMap<>();
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private BounceLimits bounceLimits = BounceLimits.defaults();
        private Optional<SenderRewriting> senderRewriting = Optional.empty();
        private Optional<MtaStsPolicies> mtaSts = Optional.empty();
        private Optional<KeyStore> trustStore = Optional.empty();
        private TlsResults tlsResults = TlsResults.NONE;

        private Builder(String hostname) {
            this.hostname = hostname;
        }

        /** Deliveries at once (default 16). */
        public Builder concurrency(int v) {
            concurrency = v;
            return this;
        }

        /** Deliveries to one destination domain at once (default 4). */
        public Builder perDestination(int v) {
            perDestination = v;
            return this;
        }

        /** Items claimed per poll (default 50). */
        public Builder batchSize(int v) {
            batchSize = v;
            return this;
        }

        /** How often an idle worker polls (default 10 s). */
        public Builder pollInterval(Duration v) {
            pollInterval = v;
            return this;
        }

        /** The claim lease (default 30 min; must exceed the longest delivery). */
        public Builder lease(Duration v) {
            lease = v;
            return this;
        }

        /** The first retry delay (default 5 min); doubled per attempt, with jitter. */
        public Builder firstRetry(Duration v) {
            firstRetry = v;
            return this;
        }

        /** The cap on the retry delay (default 4 h). */
        public Builder maxRetryInterval(Duration v) {
            maxRetryInterval = v;
            return this;
        }

        /** How long a message is retried before it is returned (default 5 days). */
        public Builder maxAge(Duration v) {
            maxAge = v;
            return this;
        }

        /** When the sender is warned of a delay (default 4 h); null for never. */
        public Builder delayWarningAfter(Duration v) {
            delayWarningAfter = Optional.ofNullable(v);
            return this;
        }

        public Builder timeouts(Timeouts v) {
            timeouts = v;
            return this;
        }

        /** The port MX hosts listen on (default 25). */
        public Builder mxPort(int v) {
            mxPort = v;
            return this;
        }

        /** Relays all mail through this host (per-domain smarthosts still win). */
        public Builder smarthost(Smarthost v) {
            smarthost = Optional.of(v);
            return this;
        }

        /** Relays mail for one recipient domain through this host. */
        public Builder smarthost(String domain, Smarthost v) {
            smarthosts.put(domain.toLowerCase(Locale.ROOT), v);
            return this;
        }

        /** How long close() lets running deliveries finish (default 30 s). */
        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        /** DSNs for mail from unauthenticated sources (default {@link BounceLimits#defaults()}). */
        public Builder bounceLimits(BounceLimits v) {
            bounceLimits = v;
            return this;
        }

        /** Returns DSNs for mail whose sender this rewrote to the original sender (default: none). */
        public Builder senderRewriting(SenderRewriting v) {
            senderRewriting = Optional.of(v);
            return this;
        }

        /** Looks up and applies the MTA-STS policies of destination domains (default: none). */
        public Builder mtaSts(MtaStsPolicies v) {
            mtaSts = Optional.of(v);
            return this;
        }

        /** Checks MX certificates against these trust anchors instead of the JDK's (tests, private CAs). */
        public Builder trustStore(KeyStore v) {
            trustStore = Optional.of(v);
            return this;
        }

        /** Tells the TLS outcome of each MX connection here (default: nowhere). */
        public Builder tlsResults(TlsResults v) {
            tlsResults = v;
            return this;
        }

        public OutboundConfig build() {
            return new OutboundConfig(hostname, concurrency, perDestination, batchSize, pollInterval, lease, firstRetry,
                    maxRetryInterval, maxAge, delayWarningAfter, timeouts, mxPort, smarthost, smarthosts, shutdownGrace,
                    bounceLimits, senderRewriting, mtaSts, trustStore, tlsResults);
        }
    }
}
