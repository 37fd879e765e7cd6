package dev.mailwright.protocol.session;

/** Makes the session object of each new connection. */
public interface ProtocolSessionFactory {

    ProtocolSession newSession();

    /**
     * The line sent (then the connection closed) when a connection limit refuses a client,
     * such as {@code -ERR [SYS/TEMP] too many connections} or {@code 421 4.7.0 ...}.
     */
    String busyReply();
}
