package dev.mailwright.protocol;

import java.time.Duration;

/**
 * How long a client may take, beyond the idle timeout: deadlines that a client sending one octet
 * now and then cannot reset (ADR 0028). A zero duration or rate turns that deadline off.
 *
 * @param preAuth        from connect until the session leaves its pre-authentication phase
 *                       ({@link dev.mailwright.protocol.session.Connection#preAuthEnded}): a login, or
 *                       on an SMTP MX, which has no login, the first accepted {@code MAIL FROM}
 * @param commandLine    a command line must end within this long of its first octet
 * @param minDataRate    message content (SMTP DATA and BDAT) must arrive at least this fast on average,
 *                       in octets per second, once {@code dataRateGrace} has passed
 * @param dataRateGrace  how long content may arrive at any rate before {@code minDataRate} applies
 */
public record Deadlines(Duration preAuth, Duration commandLine, int minDataRate, Duration dataRateGrace) {

    /**
     * Defaults that a slow but real client passes with a wide margin: RFC 5321 4.5.3.2 has a
     * client wait 5 minutes for each reply, and a real client spends one round trip per command.
     */
    public static final Deadlines DEFAULT = new Deadlines(Duration.ofMinutes(2), Duration.ofSeconds(60), 500,
            Duration.ofSeconds(60));

    /** None: only the idle timeout ends a slow session. */
    public static final Deadlines NONE = new Deadlines(Duration.ZERO, Duration.ZERO, 0, Duration.ZERO);

    public Deadlines {
        if (preAuth.isNegative() || commandLine.isNegative() || minDataRate < 0 || dataRateGrace.isNegative()) {
            throw new IllegalArgumentException("deadlines must not be negative");
        }
    }

    public Deadlines withPreAuth(Duration d) {
        return new Deadlines(d, commandLine, minDataRate, dataRateGrace);
    }

    public Deadlines withCommandLine(Duration d) {
        return new Deadlines(preAuth, d, minDataRate, dataRateGrace);
    }

    public Deadlines withMinDataRate(int octetsPerSecond, Duration grace) {
        return new Deadlines(preAuth, commandLine, octetsPerSecond, grace);
    }
}
