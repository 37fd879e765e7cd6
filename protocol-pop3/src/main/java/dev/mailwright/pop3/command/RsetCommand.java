package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.Set;

/** RSET: unmarks every message marked deleted in this session. */
public final class RsetCommand implements Pop3Command {

    @Override
    public String verb() {
        return "RSET";
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
        if (!arguments.isEmpty()) {
            return Pop3Reply.bad("RSET takes no argument");
        }
        session.resetDeleted();
        return Pop3Reply.ok("maildrop has " + session.count() + " messages (" + session.octets() + " octets)");
    }
}
