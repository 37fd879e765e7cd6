package dev.mailwright.protocol.session;

import java.nio.ByteBuffer;

/**
 * Receives input that is not command lines (SMTP DATA/BDAT). Called on the session's executor.
 */
@FunctionalInterface
public interface RawReceiver {

    /**
     * Consumes octets from {@code data} (advancing its position). Return true when raw input is
     * over: the unconsumed remainder is then decoded as command lines. Returning false with
     * octets left means "give me more first"; the remainder is offered again with the next input.
     */
    boolean onData(ByteBuffer data);
}
