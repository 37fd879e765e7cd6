package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.Set;

/** UTF8 (RFC 6856): user names, passwords and replies may be UTF-8 from now on. */
public final class Utf8Command implements Pop3Command {

    @Override
    public String verb() {
        return "UTF8";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.AUTHORIZATION);
    }

    @Override
    public boolean runsWithoutBlocking(Pop3Session session, String arguments) {
        return true;
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        if (!arguments.isEmpty()) {
            return Pop3Reply.bad("UTF8 takes no argument");
        }
        session.enableUtf8();
        return Pop3Reply.ok("UTF8 enabled");
    }
}
