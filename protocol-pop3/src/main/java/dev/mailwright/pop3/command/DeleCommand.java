package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.Set;

/** DELE msg: marks the message in the session only; QUIT deletes. */
public final class DeleCommand implements Pop3Command {

    @Override
    public String verb() {
        return "DELE";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.TRANSACTION);
    }

    /** Answers from the session's snapshot of the maildrop. */
    @Override
    public boolean runsWithoutBlocking(Pop3Session session, String arguments) {
        return true;
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        int n = session.messageNumber(arguments);
        session.markDeleted(n);
        return Pop3Reply.ok("message " + n + " deleted");
    }
}
