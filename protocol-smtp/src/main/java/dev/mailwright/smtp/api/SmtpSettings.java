package dev.mailwright.smtp.api;

import dev.mailwright.protocol.Deadlines;
import dev.mailwright.protocol.Limits;
import dev.mailwright.store.Address;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of one SMTP listener. Immutable; {@link #builder()} starts from the defaults.
 *
 * @param hostname           the name in the greeting, EHLO and Received headers
 * @param mode               MX, submission (587) or submissions (465)
 * @param maxMessageSize     octets of content (SIZE limit, RFC 1870); larger messages get {@code 552 5.3.4}
 * @param maxRecipients      recipients per transaction (LIMITS RCPTMAX); past it {@code 452 4.5.3}
 * @param maxCommandLine     octets of one command line, CRLF included
 * @param maxBadCommands     unknown or malformed commands before {@code 421} and close
 * @param maxJunkCommands    NOOP, RSET, VRFY, EXPN and HELP since the last message accepted (or the
 *                           start) before each further one also counts as a bad command, as Postfix's
 *                           {@code smtpd_junk_command_limit}: a client cannot hold a connection for
 *                           ever with a NOOP just inside the idle timeout
 * @param maxAuthFailures    failed or refused AUTH attempts on one connection before {@code 421} and close
 * @param bareLineEnds       what a bare LF in data does: reject (default) or normalise like Postfix 3.9
 * @param authOnMx           offer AUTH on the MX listener too
 * @param authWithoutTls     offer AUTH on a connection that is not encrypted (tests only)
 * @param senderOwnership    an authenticated user may only use addresses it may send as, in MAIL FROM and in
 *                           the From and Sender fields (ADR 0026); on by default
 * @param idleTimeout        a client silent this long is cut off with {@code 421 4.4.2}
 * @param maxConnections     open connections to the listener; past it {@code 421 4.7.0} and close
 * @param maxConnectionsPerIp open connections from one client address; past it the same
 * @param shutdownGrace      on stop, how long a transaction in progress may take to finish before
 *                           it is dropped with {@code 421 4.3.2} (idle sessions get the 421 at once)
 * @param backlog            connections the kernel holds before they are accepted ({@link Limits#backlog()})
 * @param postmaster         the mailbox (or alias) that gets mail for {@code postmaster@} a hosted domain
 *                           without a postmaster address of its own, and for the bare {@code <Postmaster>}
 *                           (RFC 5321 4.5.1: a server must accept both); when empty they are refused
 * @param deadlines          what a slow client may take beyond the idle timeout: before its first
 *                           transaction (MX) or login (submission), per command line, and the least
 *                           rate of DATA and BDAT content; past any, {@code 421 4.4.2} and close (ADR 0028)
 */
public record SmtpSettings(String hostname, Mode mode, long maxMessageSize, int maxRecipients, int maxCommandLine,
                           int maxBadCommands, int maxJunkCommands, int maxAuthFailures, BareLineEnds bareLineEnds, boolean authOnMx,
                           boolean authWithoutTls, boolean senderOwnership, Duration idleTimeout,
                           int maxConnections, int maxConnectionsPerIp, Duration shutdownGrace, int backlog,
                           Optional<Address> postmaster, Deadlines deadlines) {

    /** What a listener is for. */
    public enum Mode {
        /** Port 25: mail for our domains from anyone; no AUTH needed; no relaying. */
        MX,
        /** Port 587 (RFC 6409): STARTTLS, then AUTH before MAIL; relaying for authenticated users. */
        SUBMISSION,
        /** Port 465 (RFC 8314): implicit TLS, otherwise as submission. */
        SUBMISSIONS;

        public boolean isSubmission() {
            return this != MX;
        }
    }

    /** What a bare LF in message content does (a bare CR is always refused). */
    public enum BareLineEnds {
        /**
         * Refuse the message with {@code 550 5.6.0}; a bare CR in a command line gets {@code 500}, a bare
         * LF gets {@code 500} and the connection is closed (nothing after it runs).
         */
        REJECT,
        /** Treat a bare LF as a line end and store CRLF, like Postfix 3.9 {@code smtpd_forbid_bare_newline = normalize}. */
        NORMALIZE
    }

    public SmtpSettings {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(bareLineEnds, "bareLineEnds");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        Objects.requireNonNull(postmaster, "postmaster");
        Objects.requireNonNull(deadlines, "deadlines");
        if (hostname.isEmpty() || hostname.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("hostname must be a printable ASCII name: " + hostname);
        }
        if (maxConnections <= 0 || maxConnectionsPerIp <= 0 || maxMessageSize <= 0 || maxRecipients <= 0 || maxCommandLine < 512 || maxBadCommands <= 0 || maxJunkCommands <= 0 || maxAuthFailures <= 0 || backlog <= 0) {
            throw new IllegalArgumentException("limits must be positive (command line at least 512 octets)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.hostname = hostname;
        b.mode = mode;
        b.maxMessageSize = maxMessageSize;
        b.maxRecipients = maxRecipients;
        b.maxCommandLine = maxCommandLine;
        b.maxBadCommands = maxBadCommands;
        b.maxJunkCommands = maxJunkCommands;
        b.maxAuthFailures = maxAuthFailures;
        b.bareLineEnds = bareLineEnds;
        b.authOnMx = authOnMx;
        b.authWithoutTls = authWithoutTls;
        b.senderOwnership = senderOwnership;
        b.idleTimeout = idleTimeout;
        b.maxConnections = maxConnections;
        b.maxConnectionsPerIp = maxConnectionsPerIp;
        b.shutdownGrace = shutdownGrace;
        b.backlog = backlog;
        b.postmaster = postmaster;
        b.deadlines = deadlines;
        return b;
    }

    /** The transport's view of these settings. */
    public Limits limits() {
        return new Limits(maxConnections, maxConnectionsPerIp, idleTimeout, maxCommandLine, maxBadCommands, backlog,
                deadlines);
    }

    /** Whether AUTH may be offered on a connection in this state. */
    public boolean authAllowed(boolean tls) {
        return (mode.isSubmission() || authOnMx) && (tls || authWithoutTls);
    }

    public static final class Builder {
        private String hostname = "localhost";
        private Mode mode = Mode.MX;
        private long maxMessageSize = 25L * 1024 * 1024;
        private int maxRecipients = 100;
        private int maxCommandLine = 2048;
        private int maxBadCommands = 10;
        private int maxJunkCommands = 100;
        private int maxAuthFailures = 3;
        private BareLineEnds bareLineEnds = BareLineEnds.REJECT;
        private boolean authOnMx;
        private boolean authWithoutTls;
        private boolean senderOwnership = true;
        private Duration idleTimeout = Duration.ofMinutes(5);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private int maxConnections = 1000;
        private int maxConnectionsPerIp = 20;
        private int backlog = Limits.DEFAULT_BACKLOG;
        private Optional<Address> postmaster = Optional.empty();
        private Deadlines deadlines = Deadlines.DEFAULT;

        private Builder() {
        }

        public Builder hostname(String v) {
            hostname = v;
            return this;
        }

        public Builder mode(Mode v) {
            mode = v;
            return this;
        }

        public Builder maxMessageSize(long v) {
            maxMessageSize = v;
            return this;
        }

        public Builder maxRecipients(int v) {
            maxRecipients = v;
            return this;
        }

        public Builder maxCommandLine(int v) {
            maxCommandLine = v;
            return this;
        }

        public Builder maxBadCommands(int v) {
            maxBadCommands = v;
            return this;
        }

        public Builder maxJunkCommands(int v) {
            maxJunkCommands = v;
            return this;
        }

        public Builder maxAuthFailures(int v) {
            maxAuthFailures = v;
            return this;
        }

        public Builder bareLineEnds(BareLineEnds v) {
            bareLineEnds = v;
            return this;
        }

        public Builder authOnMx(boolean v) {
            authOnMx = v;
            return this;
        }

        public Builder authWithoutTls(boolean v) {
            authWithoutTls = v;
            return this;
        }

        public Builder senderOwnership(boolean v) {
            senderOwnership = v;
            return this;
        }

        public Builder idleTimeout(Duration v) {
            idleTimeout = v;
            return this;
        }

        public Builder maxConnections(int total, int perIp) {
            maxConnections = total;
            maxConnectionsPerIp = perIp;
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        public Builder backlog(int v) {
            backlog = v;
            return this;
        }

        /** Where mail for postmaster goes ({@link SmtpSettings#postmaster()}); null for nowhere. */
        public Builder postmaster(Address v) {
            postmaster = Optional.ofNullable(v);
            return this;
        }

        public Builder deadlines(Deadlines v) {
            deadlines = v;
            return this;
        }

        public SmtpSettings build() {
            return new SmtpSettings(hostname, mode, maxMessageSize, maxRecipients, maxCommandLine, maxBadCommands,
                    maxJunkCommands, maxAuthFailures, bareLineEnds, authOnMx, authWithoutTls, senderOwnership, idleTimeout,
                    maxConnections, maxConnectionsPerIp, shutdownGrace, backlog, postmaster,
                    deadlines);
        }
    }
}
