package dev.mailwright.protocol.session;

import java.nio.ByteBuffer;

/**
 * One connection's protocol state machine, above a byte-oriented transport: the transport hands
 * it octets and the protocol splits its own input (lines through
 * {@link dev.mailwright.protocol.codec.LineDecoder}, message content as it likes).
 *
 * <p>The transport calls these methods one at a time, in order, on the session's ordered
 * executor, where blocking work is allowed; a session never needs locks for its own state. The
 * {@code ...WithoutBlocking} variants run on the I/O thread that read the input instead, still
 * one event at a time and in order, sparing two thread hand-offs for work that cannot block.
 *
 * <p>Input is a queue the transport keeps: {@link #received} consumes from the front what it
 * handles (advancing the buffer's position) and leaves the rest, which is offered again, ahead of
 * later input, when more arrives or when a pause ({@link Connection#after}) ends. A session stops
 * consuming once it asked for TLS ({@link Connection#startTls}), so that the transport can drop
 * what was pipelined after the upgrade command; and it must consume what it cannot use (the
 * rest of an overlong line), since the transport stops reading from a client whose queue
 * stays full.
 */
public interface ProtocolSession {

    /** The connection is open (with implicit TLS, encrypted): send the greeting. */
    void started(Connection connection);

    /** Whether {@link #started} can run on the I/O thread (it does not block). Default: no. */
    default boolean startsWithoutBlocking() {
        return false;
    }

    /** Octets from the client, on the session's executor: consume what you handle, as above. */
    void received(ByteBuffer input);

    /**
     * The same on the I/O thread that read the octets, while nothing else of the session runs or
     * waits: consume only what can be handled without blocking (no store, no password hash, no
     * waiting), and stop before the first thing that could block; the rest then goes to
     * {@link #received} on the executor. The default takes nothing.
     */
    default void receivedWithoutBlocking(ByteBuffer input) {
    }

    /**
     * No traffic for the idle timeout while the session was waiting for the client; the
     * transport closes the connection after this returns (send a last line here, if any).
     */
    default void idle() {
    }

    /**
     * The pre-authentication deadline ({@link dev.mailwright.protocol.Deadlines#preAuth()}) passed
     * before {@link Connection#preAuthEnded()}; the transport closes the connection after this
     * returns (send the protocol's timeout line here). The default does what {@link #idle()} does.
     */
    default void preAuthTimedOut() {
        idle();
    }

    /**
     * The client took what was sent to it slower than the content rate floor of
     * {@link dev.mailwright.protocol.Deadlines} (or not at all): the transport has cut the
     * connection, and {@link #ended} with {@code TIMEOUT} follows. Nothing can be sent any more;
     * this is for the session's log and metrics.
     */
    default void outputTooSlow() {
    }

    /** An in-band TLS handshake completed; input from now on came over TLS. */
    default void tlsStarted() {
    }

    /**
     * The listener is stopping. First with {@code graceOver} false: end the connection as soon as
     * the protocol allows (SMTP lets a transaction in progress finish). If it is still open when
     * the listener's grace period is over, again with {@code graceOver} true: end it now. Whatever
     * is still open shortly after is dropped. The default closes at once.
     */
    default void stopping(Connection connection, boolean graceOver) {
        connection.abort();
    }

    /**
     * The connection is gone (client hung up, timeout, stop, failed TLS handshake, or
     * {@link Connection#close()}); release what the session holds. Called once, last; never
     * called when {@link #started} was not.
     */
    void ended(EndReason reason);

    /** Whether {@link #ended} can run on the I/O thread (it does not block). Default: no. */
    default boolean endsWithoutBlocking() {
        return false;
    }

    enum EndReason {
        /** The session closed it (QUIT, too many errors). */
        CLOSED_BY_SERVER,
        /** The client disconnected or the network failed. */
        DROPPED,
        /** Idle timeout, or a deadline of {@link dev.mailwright.protocol.Deadlines} passed. */
        TIMEOUT,
        /** The listener is stopping. */
        SHUTDOWN
    }
}
