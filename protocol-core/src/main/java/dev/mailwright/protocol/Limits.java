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
 */
public record Limits(int maxConnections, int maxConnectionsPerIp, Duration idleTimeout, int maxLineLength,
                     int maxBadCommands) {

    public static final Limits DEFAULT = new Limits(1000, 20, Duration.ofMinutes(10), 1024, 20);

    public Limits {
        if (maxConnections < 1 || maxConnectionsPerIp < 1 || maxLineLength < 8 || maxBadCommands < 1
                || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    public Limits withMaxConnections(int total, int perIp) {
        return new Limits(total, perIp, idleTimeout, maxLineLength, maxBadCommands);
    }

    public Limits withIdleTimeout(Duration timeout) {
        return new Limits(maxConnections, maxConnectionsPerIp, timeout, maxLineLength, maxBadCommands);
    }

    public Limits withMaxLineLength(int octets) {
        return new Limits(maxConnections, maxConnectionsPerIp, idleTimeout, octets, maxBadCommands);
    }

    public Limits withMaxBadCommands(int count) {
        return new Limits(maxConnections, maxConnectionsPerIp, idleTimeout, maxLineLength, count);
    }
}
