package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** LIST [msg]: exact sizes as RETR sends them. */
public final class ListCommand implements Pop3Command {

    @Override
    public String verb() {
        return "LIST";
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
            int n = session.messageNumber(arguments);
            return Pop3Reply.ok(n + " " + session.messageAt(n).size());
        }
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= session.size(); i++) {
            if (!session.isDeleted(i)) {
                lines.add(i + " " + session.messageAt(i).size());
            }
        }
        return Pop3Reply.ok(session.count() + " messages (" + session.octets() + " octets)", lines);
    }
}
