package dev.mailwright.protocol.fault;

import dev.mailwright.protocol.session.Connection;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Applies a {@link FaultHook}'s answer at one stage of a session, the same way for every protocol:
 * the dispatchers call {@link #intercept} before a stage and carry on only when it returns false.
 */
public final class FaultPoint {

    private FaultPoint() {
    }

    /**
     * Asks {@code hook} about {@code stage} and injects what it answers.
     *
     * @param send    sends one reply line the protocol's way
     * @param close   closes the connection the protocol's way (after what was sent)
     * @param proceed runs the stage later, after a {@link Fault.Delay}
     * @return what the caller does now: run the stage ({@link Outcome#PROCEED}: no fault, or one
     *         that only armed the connection), or nothing more for this stage
     */
    public static Outcome intercept(FaultHook hook, String stage, String argument, Connection connection,
                                    Consumer<String> send, Runnable close, Runnable proceed) {
        if (hook == FaultHook.NONE) {
            return Outcome.PROCEED;
        }
        Optional<Fault> fault = hook.at(stage, argument);
        if (fault.isEmpty()) {
            return Outcome.PROCEED;
        }
        Fault f = fault.get();
        if (f instanceof Fault.Reply r) {
            send.accept(r.line());
            if (r.close()) {
                close.run();
                return Outcome.CLOSED;
            }
            return Outcome.REPLIED;
        }
        if (f instanceof Fault.Delay d) {
            connection.after(d.delay(), proceed);
            return Outcome.DELAYED;
        }
        if (f instanceof Fault.DisconnectAfterSent d) {
            connection.disconnectAfterSent(d.octets());
        } else if (f instanceof Fault.DisconnectAfterReceived d) {
            connection.disconnectAfterReceived(d.octets());
        } else if (f instanceof Fault.FailTls) {
            connection.failTls();
        } else {
            connection.abort(); // Fault.Disconnect
            return Outcome.CLOSED;
        }
        return Outcome.PROCEED;
    }

    /** What {@link #intercept} did. */
    public enum Outcome {
        /** Nothing, or armed the connection: the caller runs the stage now. */
        PROCEED,
        /** Sent a reply in place of the stage: the caller takes the next input. */
        REPLIED,
        /** Closed the connection: the caller takes no more input. */
        CLOSED,
        /** Will run the stage after a delay: the caller takes no input until then. */
        DELAYED
    }
}
