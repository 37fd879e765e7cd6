package dev.mailwright.protocol.session;

import dev.mailwright.protocol.fault.FaultHook;

/** Makes the session object of each new connection. */
public interface ProtocolSessionFactory {

    ProtocolSession newSession();

    /**
     * The line sent (then the connection closed) when a connection limit refuses a client,
     * such as {@code -ERR [SYS/TEMP] too many connections} or {@code 421 4.7.0 ...}.
     */
    String busyReply();

    /** The faults injected into the sessions ({@link FaultHook#TLS} is asked by the transport); none by default. */
    default FaultHook faults() {
        return FaultHook.NONE;
    }
}
