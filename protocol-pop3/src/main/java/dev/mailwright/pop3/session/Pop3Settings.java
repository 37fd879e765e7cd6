package dev.mailwright.pop3.session;

import dev.mailwright.protocol.Limits;
import dev.mailwright.protocol.tls.TlsConfig;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * POP3 server configuration.
 *
 * @param hostname               the name in the greeting's APOP timestamp
 * @param bindAddress            the address the plain POP3 listener listens on
 * @param port                   plain POP3 port (STLS upgrade when TLS is configured); 0 picks a free one,
 *                               a negative port turns the plain listener off
 * @param securePort             POP3S (implicit TLS) port, if any; 0 picks a free one
 * @param secureBindAddress      the address the POP3S listener listens on
 * @param tls                    certificate and key; enables STLS and POP3S
 * @param plaintextWithoutTls    whether USER/PASS, AUTH PLAIN and LOGIN are allowed on an unencrypted connection
 * @param apop                   whether APOP is offered (greeting timestamp; needs per-account APOP secrets)
 * @param last                   whether the obsolete LAST command is accepted
 * @param expire                 server default for EXPIRE: how long a retrieved message is kept; empty is NEVER
 * @param loginDelay             server default for LOGIN-DELAY: minimum time between logins; zero for none
 * @param lease                  maildrop lock lease, renewed for every session holding a maildrop by one
 *                               heartbeat every third of it ({@link MaildropLeases}); a crashed node's
 *                               maildrops free up within it
 *                               once a third of it has passed, so it should exceed the idle timeout
 * @param limits                 connection, line and bad-command limits
 * @param maxAuthFailures        failed logins after which a connection is closed
 * @param shutdownGrace          on stop, how long open sessions may take to end by themselves; zero (tests) ends them at once
 */
public record Pop3Settings(String hostname, String bindAddress, int port, OptionalInt securePort,
                           String secureBindAddress, Optional<TlsConfig> tls, boolean plaintextWithoutTls, boolean apop, boolean last,
                           Optional<Duration> expire, Duration loginDelay, Duration lease, Limits limits,
                           int maxAuthFailures, Duration shutdownGrace) {

    /** RFC 2449 recommends command lines up to 255 octets; SASL responses may be longer. */
    public static final Limits DEFAULT_LIMITS = Limits.DEFAULT.withMaxLineLength(2048).withMaxBadCommands(10);

    public static final Pop3Settings DEFAULT = new Pop3Settings("localhost", "127.0.0.1", 1110, OptionalInt.empty(),
            "127.0.0.1", Optional.empty(), false, false, false, Optional.empty(), Duration.ZERO, Duration.ofSeconds(60),
            DEFAULT_LIMITS, 3, Duration.ofSeconds(5));

    public Pop3Settings {
        if (securePort.isPresent() && tls.isEmpty()) {
            throw new IllegalArgumentException("POP3S needs TLS material");
        }
        if (lease.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new IllegalArgumentException("lease too short");
        }
        if (shutdownGrace.isNegative()) {
            throw new IllegalArgumentException("negative shutdown grace");
        }
        if (expire.isPresent() && expire.get().isNegative() || loginDelay.isNegative()) {
            throw new IllegalArgumentException("negative policy");
        }
    }
}
