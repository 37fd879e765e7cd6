package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.Set;

/** STAT: messages and octets not marked deleted. */
public final class StatCommand implements Pop3Command {

    @Override
    public String verb() {
        return "STAT";
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
            return Pop3Reply.bad("STAT takes no argument");
        }
        return Pop3Reply.ok(session.count() + " " + session.octets());
    }
}
