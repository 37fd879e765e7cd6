package dev.mailwright.protocol.metrics;

import java.time.Duration;

/**
 * What the protocol servers report for monitoring. The protocol modules call it; the
 * all-in-one server implements it with Micrometer, an embedding program may implement it any
 * way it likes or leave it at {@link #NONE}. Every method is cheap and never throws, and is
 * called from the session's own thread.
 *
 * <p>{@code protocol} is a short lower-case name ({@code pop3}, {@code smtp}); {@code verb} is
 * a verb the server knows, or {@code UNKNOWN}, so the number of distinct values stays small.
 */
public interface ProtocolMetrics {

    /** Reports nothing. */
    ProtocolMetrics NONE = new ProtocolMetrics() {
    };

    /** A client connected (accepted by the connection limits). */
    default void connectionOpened(String protocol) {
    }

    /** A connection ended, after {@code duration}. */
    default void connectionClosed(String protocol, Duration duration) {
    }

    /** A command was answered; {@code ok} is a positive reply. */
    default void command(String protocol, String verb, boolean ok) {
    }

    /** A login attempt ended. */
    default void authentication(String protocol, boolean success) {
    }

    /** A message was committed to the store (the client got its 2xx), after {@code commit} spent committing. */
    default void messageAccepted(String protocol, long bytes, int recipients, Duration commit) {
    }

    /** A message transfer ended without the message being stored; {@code reason} is a short stable word. */
    default void messageRejected(String protocol, String reason) {
    }

    /** A message was sent to a client (POP3 RETR). */
    default void messageRetrieved(String protocol, long bytes) {
    }

    /**
     * A session was cut off because the client was too slow; {@code deadline} is one of
     * {@code idle}, {@code pre-auth}, {@code command-line}, {@code data-rate}.
     */
    default void timedOut(String protocol, String deadline) {
    }

    /** The store could not answer (unavailable or failed). */
    default void storeError(String protocol) {
    }
}
