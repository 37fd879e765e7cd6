package dev.mailwright.server.config;

import dev.mailwright.store.Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The whole configuration of a server, checked and typed. Made by {@link ConfigLoader};
 * every field has a default in {@code mailwright-defaults.conf}.
 */
public record ServerConfig(
        String hostname,
        Path dataDir,
        Database database,
        Tls tls,
        Map<String, Listener> listeners,
        Limits limits,
        Pop3 pop3,
        Smtp smtp,
        Outbound outbound,
        Passwords passwords,
        Duration shutdownGracePeriod,
        Logging logging,
        Optional<String> nodeId,
        Optional<String> authDefaultDomain,
        MailAuth mailAuth,
        Rspamd rspamd) {

    /** The listener names, in start order. */
    public static final java.util.List<String> LISTENER_NAMES =
            java.util.List.of("smtp", "submission", "submissions", "pop3", "pop3s", "metrics");

    public Listener listener(String name) {
        return listeners.get(name);
    }

    /** An external database when {@code url} is set, else the embedded PostgreSQL under the data directory. */
    public record Database(Optional<String> url, String user, String password, int poolSize, int embeddedPort,
                           Duration socketTimeout) {
        public boolean embedded() {
            return url.isEmpty();
        }
    }

    /**
     * Cost of the Argon2id hashes stored for new and changed passwords (older hashes are upgraded
     * at login), which Argon2 computes them, and how many hashes may run at once (0: two per
     * processor; a quarter of the heap bounds their memory either way), and the PBKDF2 iterations
     * of the SCRAM-SHA-256 keys kept beside each hash (0: SCRAM off, no keys kept; ADR 0029).
     */
    public record Passwords(int argon2MemoryKib, int argon2Iterations, int argon2Parallelism,
                            Implementation implementation, int maxConcurrentHashes, int scramIterations) {
        /** AUTO: libsodium where it loads, else JAVA (BouncyCastle). LIBSODIUM: refuse to start without it. */
        public enum Implementation { AUTO, JAVA, LIBSODIUM }
    }

    /** PEM files; both empty means a self-signed certificate under the data directory. */
    public record Tls(Optional<Path> certificate, Optional<Path> key) {
        public boolean selfSigned() {
            return certificate.isEmpty();
        }
    }

    public record Listener(String name, boolean enabled, String address, int port) {
    }

    /** @param deadlines what a slow client may take beyond the idle timeout, for every listener (ADR 0028) */
    public record Limits(long maxMessageSize, int maxRecipients, int maxLineLength, int maxConnections,
                         int maxConnectionsPerIp, Duration idleTimeout, int maxBadCommands, int maxJunkCommands,
                         Duration authFailureDelay, int authMaxFailures, int listenBacklog,
                         dev.mailwright.protocol.Deadlines deadlines) {
    }

    /**
     * @param expire   RFC 2449 EXPIRE: empty for "never", zero for "delete after retrieval"
     */
    public record Pop3(boolean apop, boolean last, Optional<Duration> expire, Duration loginDelay,
                       boolean plaintextWithoutTls, Duration lockLease) {
    }

    /**
     * @param bareLf     {@code reject} (default) or {@code normalize} (Postfix 3.9 style)
     * @param postmaster the mailbox for {@code postmaster@} hosted domains without one of their own
     */
    public record Smtp(String bareLf, boolean senderMustBeOwned, int messagesPerMinutePerIp,
                       Optional<Address> postmaster, Srs srs, Greylisting greylisting, SendingLimits sendingLimits) {
    }

    /**
     * Greylisting at RCPT on the MX (ADR 0031).
     *
     * @param delay       how long a new (network, sender, recipient) waits before a retry passes
     * @param retryWindow how long after the first attempt a retry still counts
     * @param knownFor    how long a triplet that passed passes at once, from its last use
     */
    public record Greylisting(boolean enabled, Duration delay, Duration retryWindow, Duration knownFor) {
    }

    /**
     * Per-account sending limits of authenticated clients per clock hour (ADR 0031); 0 is none.
     *
     * @param perUser the limits of accounts that have their own, by lower-case address
     */
    public record SendingLimits(int messagesPerHour, int recipientsPerHour, Map<String, UserLimits> perUser) {
        /** The limits of one account. */
        public UserLimits of(String user) {
            return perUser.getOrDefault(user, new UserLimits(messagesPerHour, recipientsPerHour));
        }
    }

    public record UserLimits(int messagesPerHour, int recipientsPerHour) {
    }

    /**
     * Content filtering through rspamd (ADR 0031).
     *
     * @param url            rspamd's normal worker
     * @param failOpen       when rspamd cannot answer, accept (marked unscanned) rather than answer 451
     * @param scanSubmission also scan what authenticated clients submit
     * @param maxSize        larger messages are not scanned
     * @param actions        rspamd's action names (with spaces, {@code soft reject}) to what we do:
     *                       reject, soft-reject, subject-tag, add-header, accept
     */
    public record Rspamd(boolean enabled, java.net.URI url, Duration timeout, boolean failOpen, boolean scanSubmission,
                         long maxSize, String subjectTag, Map<String, String> actions) {
    }

    /**
     * The Sender Rewriting Scheme for mail that aliases forward off-site (ADR 0027).
     *
     * @param domain the domain of rewritten addresses; empty for the server's hostname
     * @param secret the HMAC secret; empty to use the one generated into the data directory
     * @param maxAge how long a rewritten address takes bounces
     */
    public record Srs(boolean enabled, Optional<String> domain, Optional<String> secret, Duration maxAge) {
        @Override
        public String toString() {
            return "Srs[" + enabled + ", " + domain + ", secret " + (secret.isPresent() ? "set" : "generated")
                    + ", " + maxAge + "]";
        }
    }

    /** DSNs for mail from unauthenticated sources, per {@code window} (ADR 0027). */
    public record BounceLimits(int perSender, int perSenderDomain, int total, Duration window) {
    }

    /**
     * @param domainSmarthosts relays for mail to these domains (lower case); they win over {@code smarthost}
     * @param mtaSts           look up and apply destination domains' MTA-STS policies (ADR 0032)
     * @param mtaStsTimeout    for fetching one policy over HTTPS
     * @param tlsReports       daily TLS reports to domains that ask for them (RFC 8460)
     */
    public record Outbound(boolean enabled, int workers, Duration maxAge, Duration firstRetry,
                           Duration maxRetryInterval, Duration delayWarning, Optional<Smarthost> smarthost,
                           Map<String, Smarthost> domainSmarthosts, BounceLimits bounceLimits, boolean mtaSts,
                           Duration mtaStsTimeout, TlsReports tlsReports) {
    }

    /**
     * SMTP TLS reporting (RFC 8460, ADR 0032).
     *
     * @param organization the reports' organization-name; empty: the hostname
     * @param from         where reports come from and the contact-info; empty: postmaster@hostname
     */
    public record TlsReports(boolean enabled, Optional<String> organization, Optional<Address> from) {
    }

    /** A relay for all outbound mail; TLS is always required to it ({@code implicit} or STARTTLS). */
    public record Smarthost(String host, int port, boolean implicitTls, Optional<String> username,
                            Optional<String> password, boolean verifyCertificate) {
        @Override
        public String toString() {
            return host + ":" + port + (implicitTls ? " (implicit TLS)" : " (STARTTLS)")
                    + username.map(u -> " as " + u).orElse("");
        }
    }

    /** @param format {@code text} or {@code json} */
    /**
     * Inbound mail authentication on the MX (ADR 0030): {@code mail-auth.*}.
     *
     * @param enabled     SPF, DKIM and DMARC checks and the Authentication-Results field
     * @param authservId  the authserv-id of our Authentication-Results; empty: the host name
     * @param actions     what to do on failures, for every domain without its own
     * @param domains     actions by hosted domain (lower case), each key defaulting to the global one
     * @param dnsblZones  DNS blocklist zones asked at connect, in order; empty: none
     */
    public record MailAuth(boolean enabled, Optional<String> authservId, Duration dnsTimeout,
                           dev.mailwright.mailauth.Actions actions, Map<String, dev.mailwright.mailauth.Actions> domains,
                           int dkimMaxSignatures, java.util.List<String> dnsblZones, Duration dnsblCacheTtl,
                           int dnsblCacheSize) {
        public MailAuth {
            domains = Map.copyOf(domains);
            dnsblZones = java.util.List.copyOf(dnsblZones);
        }
    }

    public record Logging(String format, String level) {
    }
}
