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

/** TOP msg n: the header, the blank line, and the first n body lines. */
public final class TopCommand implements Pop3Command {

    @Override
    public String verb() {
        return "TOP";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.TRANSACTION);
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        String[] args = arguments.split(" ", -1);
        if (args.length != 2) {
            return Pop3Reply.bad("usage: TOP msg lines");
        }
        int n = session.messageNumber(args[0]);
        String lines = args[1];
        if (lines.startsWith("-")) {
            throw new BadInputException("line count must not be negative");
        }
        if (lines.isEmpty() || lines.length() > 9 || !lines.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BadInputException("invalid line count");
        }
        MessageInfo m = session.messageAt(n);
        InputStream top = session.maildrop().openTop(m.uid(), Integer.parseInt(lines)); // read in blocks by WireFormat
        return Pop3Reply.ok("top of message follows", WireFormat.normalize(top));
    }
}
