package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.Set;

/** LAST (RFC 1460, removed in RFC 1725): the highest message number retrieved; only when enabled. */
public final class LastCommand implements Pop3Command {

    @Override
    public String verb() {
        return "LAST";
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
        return Pop3Reply.ok(Integer.toString(session.highestRetrieved()));
    }
}
