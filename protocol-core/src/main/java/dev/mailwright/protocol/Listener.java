package dev.mailwright.protocol;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A network listener that a protocol module contributes to the server ({@code @IntoSet}).
 * Started once, stopped once.
 */
public interface Listener extends AutoCloseable {

    /** A short name for logs and metrics, such as {@code pop3} or {@code pop3s}. */
    String name();

    /** Binds and starts accepting; returns once the socket is bound. */
    void start() throws IOException;

    /** The bound address; the real port when configured with port 0. Only after {@link #start()}. */
    InetSocketAddress boundAddress();

    default int port() {
        return boundAddress().getPort();
    }

    /**
     * Stops accepting, asks open sessions to end (each session decides what that means for its
     * state: POP3 deletes nothing), waits a little for them, then closes what remains.
     */
    void stop();

    @Override
    default void close() {
        stop();
    }
}
