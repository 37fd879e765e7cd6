package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.util.Set;

/** STLS (RFC 2595 section 4). Anything the client pipelined after it is discarded by the transport. */
public final class StlsCommand implements Pop3Command {

    @Override
    public String verb() {
        return "STLS";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.AUTHORIZATION);
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        if (!arguments.isEmpty()) {
            return Pop3Reply.bad("STLS takes no argument");
        }
        if (session.isSecure()) {
            return Pop3Reply.err("connection is already secure");
        }
        if (!session.canStartTls()) {
            return Pop3Reply.err("TLS is not available");
        }
        session.pendingUser(null);
        return Pop3Reply.ok("Begin TLS negotiation").then(Pop3Reply.Then.START_TLS);
    }
}
