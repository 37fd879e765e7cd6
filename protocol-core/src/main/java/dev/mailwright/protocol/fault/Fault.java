package dev.mailwright.protocol.fault;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link FaultHook} makes a server do at a stage instead of (or before) its normal work.
 * Faults are for tests of the software on the other end of the connection: a production server
 * has no hook and never sees one.
 */
public sealed interface Fault {

    /** Sends {@code line} (a whole protocol reply line, such as {@code 451 4.3.0 try later}) instead of running the stage; then closes if asked. */
    record Reply(String line, boolean close) implements Fault {
        public Reply {
            Objects.requireNonNull(line);
            if (line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("one line, without CR or LF");
            }
        }
    }

    /** Drops the connection at once, without a reply. */
    record Disconnect() implements Fault {
    }

    /** Holds the stage this long, then runs it normally (input waits meanwhile; no thread sleeps). */
    record Delay(Duration delay) implements Fault {
        public Delay {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("negative delay");
            }
        }
    }

    /** Runs the stage, but drops the connection once this many more octets were sent (a RETR cut short, say). */
    record DisconnectAfterSent(long octets) implements Fault {
        public DisconnectAfterSent {
            if (octets < 0) {
                throw new IllegalArgumentException("negative octets");
            }
        }
    }

    /** Runs the stage, but drops the connection once this many more octets were received (a DATA cut short). */
    record DisconnectAfterReceived(long octets) implements Fault {
        public DisconnectAfterReceived {
            if (octets < 0) {
                throw new IllegalArgumentException("negative octets");
            }
        }
    }

    /** The TLS handshake that this stage starts (STARTTLS, STLS, or implicit TLS at {@code TLS}) fails: the server drops the connection instead of answering it. */
    record FailTls() implements Fault {
    }
}
