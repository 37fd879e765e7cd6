package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import java.util.ArrayList;
import java.util.List;

/** The command sets a POP3 listener serves. */
public final class Pop3Commands {

    private Pop3Commands() {
    }

    /** Every verb of RFC 1939, 2449, 2595, 5034 and 6856, and LAST when {@code last} is on. */
    public static List<Pop3Command> standard(boolean last) {
        List<Pop3Command> c = new ArrayList<>(List.of(new UserCommand(), new PassCommand(), new ApopCommand(),
                new AuthCommand(), new CapaCommand(), new StlsCommand(), new Utf8Command(), new QuitCommand(),
                new StatCommand(), new ListCommand(), new RetrCommand(), new DeleCommand(), new NoopCommand(),
                new RsetCommand(), new TopCommand(), new UidlCommand()));
        if (last) {
            c.add(new LastCommand());
        }
        return List.copyOf(c);
    }
}
