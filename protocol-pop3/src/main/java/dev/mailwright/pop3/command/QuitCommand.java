package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.StoreUnavailableException;
import java.util.Set;

/** QUIT: in AUTHORIZATION just closes; in TRANSACTION enters UPDATE and commits deletions atomically. */
public final class QuitCommand implements Pop3Command {

    @Override
    public String verb() {
        return "QUIT";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.AUTHORIZATION, Pop3State.TRANSACTION);
    }

    /** Before login there is nothing to commit. */
    @Override
    public boolean runsWithoutBlocking(Pop3Session session, String arguments) {
        return session.state() == Pop3State.AUTHORIZATION;
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        session.ending("quit");
        if (session.state() == Pop3State.AUTHORIZATION) {
            return Pop3Reply.ok("Mailwright POP3 server signing off").then(Pop3Reply.Then.CLOSE);
        }
        try {
            return session.update().then(Pop3Reply.Then.CLOSE);
        } catch (StoreUnavailableException e) {
            return Pop3Reply.err("SYS/TEMP", "mail store temporarily unavailable, nothing was deleted")
                    .then(Pop3Reply.Then.CLOSE);
        } catch (LeaseLostException e) {
            return Pop3Reply.err("SYS/TEMP", "maildrop lock was lost, nothing was deleted").then(Pop3Reply.Then.CLOSE);
        }
    }
}
