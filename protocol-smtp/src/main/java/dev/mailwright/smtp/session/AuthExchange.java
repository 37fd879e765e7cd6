package dev.mailwright.smtp.session;

import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.sasl.SaslExchange;

/** An AUTH exchange under way: the SASL side, and the throttle's attempt its checks go through. */
public record AuthExchange(SaslExchange sasl, AuthThrottle.Attempt attempt) {
}
