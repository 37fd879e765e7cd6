package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.BadInputException;
import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.content.WireFormat;
import java.io.InputStream;
import java.util.Set;

/** RETR msg: the message streamed from the store in wire form (the writer dot-stuffs it). */
public final class RetrCommand implements Pop3Command {

    @Override
    public String verb() {
        return "RETR";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.TRANSACTION);
    }

    /** When the message was read ahead already (or the number is wrong). */
    @Override
    public boolean runsWithoutBlocking(Pop3Session session, String arguments) {
        int n;
        try {
            n = session.messageNumber(arguments);
        } catch (BadInputException e) {
            return true;
        }
        return session.readAhead().ready(session.messageAt(n));
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        int n = session.messageNumber(arguments);
        MessageInfo m = session.messageAt(n);
        InputStream content = session.readAhead().open(session.maildrop(), m); // WireFormat reads it in blocks
        session.retrieved(n);
        session.readAhead().served(session.maildrop(), session.messages(), n - 1,
                i -> session.isDeleted(i + 1));
        return Pop3Reply.ok(m.size() + " octets", WireFormat.normalize(content));
    }
}
