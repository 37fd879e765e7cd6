package dev.mailwright.protocol;

import java.time.Duration;

/**
 * Per-listener limits.
 *
 * @param maxConnections      open connections in total
 * @param maxConnectionsPerIp open connections from one client address
 * @param idleTimeout         a connection with no traffic for this long is ended (rounded up to whole seconds)
 * @param maxLineLength       longest command line in octets, CRLF included
 * @param maxBadCommands      bad commands after which the protocol closes the connection
 * @param backlog             connections the kernel holds for us before they are accepted (a burst
 *                            of clients waits there; Linux caps it at {@code net.core.somaxconn})
 * @param deadlines           what a slow client may take beyond the idle timeout (pre-authentication,
 *                            command line, content rate)
 */
public record Limits(int maxConnections, int maxConnectionsPerIp, Duration idleTimeout, int maxLineLength,
                     int maxBadCommands, int backlog, Deadlines deadlines) {

    /** Postfix and Dovecot keep backlogs of hundreds; Java's default of 50 makes a burst wait for SYN retries. */
    public static final int DEFAULT_BACKLOG = 1024;

    public static final Limits DEFAULT = new Limits(1000, 20, Duration.ofMinutes(10), 1024, 20, DEFAULT_BACKLOG);

    /** With the default {@link Deadlines}. */
    public Limits(int maxConnections, int maxConnectionsPerIp, Duration idleTimeout, int maxLineLength,
                  int maxBadCommands, int backlog) {
        this(maxConnections, maxConnectionsPerIp, idleTimeout, maxLineLength, maxBadCommands, backlog,
                Deadlines.DEFAULT);
    }

    public Limits {
        if (maxConnections < 1 || maxConnectionsPerIp < 1 || maxLineLength < 8 || maxBadCommands < 1 || backlog < 1
                || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("limits must be positive");
        }
        java.util.Objects.requireNonNull(deadlines, "deadlines");
    }

    public Limits withMaxConnections(int total, int perIp) {
        return new Limits(total, perIp, idleTimeout, maxLineLength, maxBadCommands, backlog, deadlines);
    }

    public Limits withIdleTimeout(Duration timeout) {
        return new Limits(maxConnections, maxConnectionsPerIp, timeout, maxLineLength, maxBadCommands, backlog, deadlines);
    }

    public Limits withMaxLineLength(int octets) {
        return new Limits(maxConnections, maxConnectionsPerIp, idleTimeout, octets, maxBadCommands, backlog, deadlines);
    }

    public Limits withMaxBadCommands(int count) {
        return new Limits(maxConnections, maxConnectionsPerIp, idleTimeout, maxLineLength, count, backlog, deadlines);
    }

    public Limits withBacklog(int pending) {
        return new Limits(maxConnections, maxConnectionsPerIp, idleTimeout, maxLineLength, maxBadCommands, pending, deadlines);
    }

    public Limits withDeadlines(Deadlines d) {
        return new Limits(maxConnections, maxConnectionsPerIp, idleTimeout, maxLineLength, maxBadCommands, backlog, d);
    }
}
