package dev.mailwright.protocol.session;

import dev.mailwright.protocol.codec.Line;

/**
 * One connection's protocol state machine. The transport calls these methods one at a time,
 * in order, on the session's ordered executor; a session never needs locks for its own state.
 * A line the session {@linkplain #handlesWithoutBlocking handles without blocking} may instead be
 * handled on the I/O thread that read it, still one event at a time and in order.
 */
public interface ProtocolSession {

    /** The connection is open: send the greeting. */
    void started(Connection connection);

    /** The next input line (or a framing error to answer). */
    void line(Line line);

    /**
     * Whether {@link #line} handles {@code line} without blocking in the session's present state
     * (no store, no password hash, no waiting for a thread): the transport then calls it on the
     * I/O thread that read it, sparing two thread hand-offs. Asked with no other event of the
     * session running; must not block or change state itself. The default is the safe answer.
     */
    default boolean handlesWithoutBlocking(Line line) {
        return false;
    }

    /** No traffic for the idle timeout; the transport closes the connection after this returns. */
    default void idle() {
    }

    /** An in-band TLS handshake completed. */
    default void tlsStarted() {
    }

    /**
     * The connection is gone (client hung up, timeout, stop, or {@link Connection#close()});
     * release what the session holds. Called once, last.
     */
    void ended(EndReason reason);

    enum EndReason {
        /** The session closed it (QUIT, too many errors). */
        CLOSED_BY_SERVER,
        /** The client disconnected or the network failed. */
        DROPPED,
        /** Idle timeout. */
        TIMEOUT,
        /** The listener is stopping. */
        SHUTDOWN
    }
}
