package dev.mailwright.pop3.session;

import dev.mailwright.pop3.session.Pop3Settings;
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
 */
public record Pop3Context(MailStore store, Authenticator authenticator, Pop3Settings settings, AuthThrottle throttle,
                          Clock clock, Supplier<String> apopTimestamps, String nodeName,
                          ProtocolMetrics metrics) {
}
