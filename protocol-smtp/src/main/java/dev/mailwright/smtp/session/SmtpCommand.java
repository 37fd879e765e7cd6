package dev.mailwright.smtp.session;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpResponse;
import java.util.Set;

/**
 * One SMTP verb. The session checks the phase before {@link #execute}, maps exceptions to
 * replies and sends the reply; the command changes session state only once it succeeded.
 */
public interface SmtpCommand {

    /** The verb in upper case. */
    String verb();

    /** The phases in which the verb may be used. */
    Set<Phase> phases();

    /** The reply when the verb is used in another phase. */
    default SmtpReply outOfSequence(Phase phase) {
        return phase == Phase.CONNECTED ? SmtpReply.HELO_FIRST : SmtpReply.BAD_SEQUENCE;
    }

    /**
     * Whether {@link #execute} runs without blocking in the session's present state: no store,
     * DNS, password hash or hook that may block. Such a command is answered on the I/O thread
     * that read it, without a hand-off to a worker. The default is the safe answer.
     */
    default boolean runsWithoutBlocking(SmtpSession session) {
        return false;
    }

    /**
     * The same for a command with its {@code argument}, for commands whose answer depends on it
     * (RCPT: whether the store remembers the recipient). By default the argument does not matter.
     */
    default boolean runsWithoutBlocking(SmtpSession session, String argument) {
        return runsWithoutBlocking(session);
    }

    /**
     * Runs the command; {@code argument} is the text after the verb and one space ({@code ""}
     * when none). Returns the reply, or {@link SmtpResponse.Deferred} when the session was told
     * to read something first (a BDAT chunk) whose reader replies.
     */
    SmtpResponse execute(SmtpSession session, String argument);

    /**
     * A client line that continues an exchange this command started (AUTH's SASL responses,
     * while the session is in {@link Phase#AUTH}). Only AUTH has one.
     */
    default SmtpResponse continued(SmtpSession session, String line) {
        throw new IllegalStateException(verb() + " has no continuation");
    }
}
