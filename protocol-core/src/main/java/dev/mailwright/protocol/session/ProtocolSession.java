package dev.mailwright.protocol.session;

import dev.mailwright.protocol.codec.Line;

/**
 * One connection's protocol state machine. The transport calls these methods one at a time,
 * in order, on the session's ordered executor; a session never needs locks for its own state.
 */
public interface ProtocolSession {

    /** The connection is open: send the greeting. */
    void started(Connection connection);

    /** The next input line (or a framing error to answer). */
    void line(Line line);

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
