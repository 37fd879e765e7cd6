package dev.mailwright.pop3.session;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.store.MailStore;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What every session of a server shares.
 *
 * @param apopTimestamps makes the greeting's unique {@code <...>} timestamp (RFC 1939 section 7)
 * @param metrics        where sessions, commands, logins and transfers are counted
 * @param leases         the heartbeat that keeps the maildrop locks of all sessions
 */
public record Pop3Context(MailStore store, Authenticator authenticator, Pop3Settings settings, AuthThrottle throttle,
                          Clock clock, Supplier<String> apopTimestamps, String nodeName,
                          ProtocolMetrics metrics, MaildropLeases leases) {

    /** With a heartbeat of its own for the maildrop locks its sessions take. */
    public Pop3Context(MailStore store, Authenticator authenticator, Pop3Settings settings, AuthThrottle throttle,
                       Clock clock, Supplier<String> apopTimestamps, String nodeName, ProtocolMetrics metrics) {
        this(store, authenticator, settings, throttle, clock, apopTimestamps, nodeName, metrics,
                new MaildropLeases(store.maildrops(), settings.lease()));
    }
}
