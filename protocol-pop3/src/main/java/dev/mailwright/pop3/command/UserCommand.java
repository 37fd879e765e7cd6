package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.Set;

/** USER name (RFC 1939 section 7): accepted for any name, so it reveals nothing; PASS decides. */
public final class UserCommand implements Pop3Command {

    @Override
    public String verb() {
        return "USER";
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
        if (!session.plaintextAllowed()) {
            return Pop3Reply.err("AUTH", "plaintext authentication is not allowed without TLS, use STLS first");
        }
        if (arguments.isEmpty()) {
            return Pop3Reply.bad("user name required");
        }
        session.pendingUser(arguments);
        return Pop3Reply.ok("send PASS");
    }
}
