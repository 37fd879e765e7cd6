package dev.mailwright.pop3.session;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.store.MailStore;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What every session of a server shares. The server {@linkplain #close closes} it when it stops.
 *
 * @param apopTimestamps makes the greeting's unique {@code <...>} timestamp (RFC 1939 section 7)
 * @param metrics        where sessions, commands, logins and transfers are counted
 * @param leases         the heartbeat that keeps the maildrop locks of all sessions
 * @param readers        the read-ahead threads and budget of all sessions
 * @param faults         faults injected into the sessions (tests only; {@link FaultHook#NONE} otherwise)
 */
public record Pop3Context(MailStore store, Authenticator authenticator, Pop3Settings settings, AuthThrottle throttle,
                          Clock clock, Supplier<String> apopTimestamps, String nodeName,
                          ProtocolMetrics metrics, MaildropLeases leases, ReadAhead.Readers readers,
                          FaultHook faults) implements AutoCloseable {

    /** With a heartbeat and read-ahead threads of its own, and no faults. */
    public Pop3Context(MailStore store, Authenticator authenticator, Pop3Settings settings, AuthThrottle throttle,
                       Clock clock, Supplier<String> apopTimestamps, String nodeName, ProtocolMetrics metrics) {
        this(store, authenticator, settings, throttle, clock, apopTimestamps, nodeName, metrics,
                new MaildropLeases(store.maildrops(), settings.lease()), new ReadAhead.Readers(), FaultHook.NONE);
    }

    /** The same context with {@code faults} injected. */
    public Pop3Context withFaults(FaultHook faults) {
        return new Pop3Context(store, authenticator, settings, throttle, clock, apopTimestamps, nodeName, metrics, leases,
                readers, faults);
    }

    /** Ends the threads the sessions shared (the listeners are stopped first). */
    @Override
    public void close() {
        readers.close();
        leases.close();
    }
}
