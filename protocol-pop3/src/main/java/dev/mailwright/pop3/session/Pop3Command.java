package dev.mailwright.pop3.session;

import java.util.Set;

/** One POP3 verb. Implementations take the session and the arguments and return a reply; they never write. */
public interface Pop3Command {

    /** The verb, upper case. */
    String verb();

    /** States in which the verb is valid; the dispatcher refuses it in the others. */
    Set<Pop3State> states();

    /**
     * Whether {@link #execute} runs without blocking (no store, no password hash) for these
     * arguments in the session's present state; the transport then runs it on the I/O thread
     * that read it. Must not change anything itself. The default is the safe answer.
     */
    default boolean runsWithoutBlocking(Pop3Session session, String arguments) {
        return false;
    }

    /**
     * @param arguments the text after the verb and one space, exactly as sent ("" when none)
     */
    Pop3Reply execute(Pop3Session session, String arguments);

    /**
     * A client line that continues an exchange this command started (AUTH's SASL responses,
     * while {@link Pop3Session#sasl()} is present). Only AUTH has one.
     */
    default Pop3Reply continued(Pop3Session session, String line) {
        throw new IllegalStateException(verb() + " has no continuation");
    }
}
