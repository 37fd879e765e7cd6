package dev.mailwright.outbound;

import java.time.Duration;

/**
 * What the outbound worker reports for monitoring, like protocol-core's {@code ProtocolMetrics}:
 * the all-in-one server implements it with Micrometer, an embedding program any way it likes or
 * leaves it at {@link #NONE}. Every method is cheap and never throws; it is called from the
 * worker's delivery threads.
 */
public interface OutboundMetrics {

    /** Reports nothing. */
    OutboundMetrics NONE = new OutboundMetrics() {
    };

    /** What one delivery attempt did for one recipient. */
    enum Result {
        /** Accepted by the remote server. */
        DELIVERED,
        /** A temporary failure: retried later. */
        DEFERRED,
        /** A permanent failure or expiry: returned to the sender (if anyone is to be told). */
        BOUNCED;

        /** For metric tags. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A recipient's attempt ended. */
    default void attempt(Result result) {
    }

    /** A recipient was delivered {@code latency} after its message was queued. */
    default void delivered(Duration latency) {
    }

    /** A DSN was stored for a sender; {@code action} is {@code failed}, {@code delayed} or {@code relayed}. */
    default void dsnSent(String action) {
    }

    /**
     * A DSN was not sent: {@code reason} is {@code over_sender}, {@code over_sender_domain} or
     * {@code over_total} (a bounce limit for mail from unauthenticated sources, ADR 0027), or
     * {@code bad_srs} (its recipient was a rewritten address that does not reverse).
     */
    default void dsnDropped(String reason) {
    }

    /**
     * A connection to a remote host was set up (greeting, EHLO, STARTTLS and AUTH done) and is
     * about to carry mail; {@code tls} says whether it is encrypted.
     */
    default void connected(boolean tls) {
    }

    /** An open connection was used again for another message (RSET, then the next transaction). */
    default void connectionReused() {
    }
}
