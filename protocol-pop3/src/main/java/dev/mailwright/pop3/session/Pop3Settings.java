package dev.mailwright.pop3.session;

import dev.mailwright.protocol.Limits;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a POP3 server behaves, for all its listeners. Immutable; {@link #builder()} starts from
 * the defaults. Where it listens (addresses, ports, TLS material) is the server's business, not
 * a setting: {@code Pop3Server.Builder} and {@code Pop3Module.Config} carry it, as SMTP's do.
 *
 * @param hostname               the name in the greeting's APOP timestamp
 * @param plaintextWithoutTls    whether USER/PASS, AUTH PLAIN and LOGIN are allowed on an unencrypted connection
 * @param apop                   whether APOP is offered (greeting timestamp; needs per-account APOP secrets)
 * @param last                   whether the obsolete LAST command is accepted
 * @param expire                 server default for EXPIRE: how long a retrieved message is kept; empty is NEVER
 * @param loginDelay             server default for LOGIN-DELAY: minimum time between logins; zero for none
 * @param lease                  maildrop lock lease, renewed for every session holding a maildrop by one
 *                               heartbeat every third of it ({@link MaildropLeases}); a crashed node's
 *                               maildrops free up within it, so it should exceed the idle timeout
 * @param limits                 connection, line and bad-command limits
 * @param maxAuthFailures        failed logins after which a connection is closed
 * @param shutdownGrace          on stop, how long open sessions may take to end by themselves; zero (tests) ends them at once
 */
public record Pop3Settings(String hostname, boolean plaintextWithoutTls, boolean apop, boolean last,
                           Optional<Duration> expire, Duration loginDelay, Duration lease, Limits limits,
                           int maxAuthFailures, Duration shutdownGrace) {

    /** RFC 2449 recommends command lines up to 255 octets; SASL responses may be longer. */
    public static final Limits DEFAULT_LIMITS = Limits.DEFAULT.withMaxLineLength(2048).withMaxBadCommands(10);

    /** The shortest {@link #lease} accepted. */
    public static final Duration MIN_LEASE = Duration.ofSeconds(10);

    public static final Pop3Settings DEFAULT = builder().build();

    public Pop3Settings {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(expire, "expire");
        Objects.requireNonNull(loginDelay, "loginDelay");
        Objects.requireNonNull(lease, "lease");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (lease.compareTo(MIN_LEASE) < 0) {
            throw new IllegalArgumentException("lease too short");
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("negative shutdown grace");
        }
        if (expire.isPresent() && expire.get().isNegative() || loginDelay.isNegative()) {
            throw new IllegalArgumentException("negative policy");
        }
        if (maxAuthFailures <= 0) {
            throw new IllegalArgumentException("maxAuthFailures must be positive");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.hostname = hostname;
        b.plaintextWithoutTls = plaintextWithoutTls;
        b.apop = apop;
        b.last = last;
        b.expire = expire;
        b.loginDelay = loginDelay;
        b.lease = lease;
        b.limits = limits;
        b.maxAuthFailures = maxAuthFailures;
        b.shutdownGrace = shutdownGrace;
        return b;
    }

    /** Starts from the defaults; {@link #build()} checks the values. */
    public static final class Builder {
        private String hostname = "localhost";
        private boolean plaintextWithoutTls;
        private boolean apop;
        private boolean last;
        private Optional<Duration> expire = Optional.empty();
        private Duration loginDelay = Duration.ZERO;
        private Duration lease = Duration.ofSeconds(60);
        private Limits limits = DEFAULT_LIMITS;
        private int maxAuthFailures = 3;
        private Duration shutdownGrace = Duration.ofSeconds(5);

        private Builder() {
        }

        public Builder hostname(String v) {
            hostname = v;
            return this;
        }

        /** Allows passwords in the clear on unencrypted connections (off by default). */
        public Builder plaintextWithoutTls(boolean v) {
            plaintextWithoutTls = v;
            return this;
        }

        public Builder apop(boolean v) {
            apop = v;
            return this;
        }

        public Builder last(boolean v) {
            last = v;
            return this;
        }

        /** Server default EXPIRE; empty is NEVER. */
        public Builder expire(Optional<Duration> v) {
            expire = v;
            return this;
        }

        public Builder loginDelay(Duration v) {
            loginDelay = v;
            return this;
        }

        public Builder lease(Duration v) {
            lease = v;
            return this;
        }

        public Builder limits(Limits v) {
            limits = v;
            return this;
        }

        /** Failed logins on one connection after which it is closed. */
        public Builder maxAuthFailures(int v) {
            maxAuthFailures = v;
            return this;
        }

        public Builder shutdownGrace(Duration v) {
            shutdownGrace = v;
            return this;
        }

        public Pop3Settings build() {
            return new Pop3Settings(hostname, plaintextWithoutTls, apop, last, expire, loginDelay, lease, limits,
                    maxAuthFailures, shutdownGrace);
        }
    }
}
