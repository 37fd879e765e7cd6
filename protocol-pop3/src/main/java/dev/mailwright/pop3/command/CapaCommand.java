package dev.mailwright.pop3.command;

import dev.mailwright.pop3.session.Pop3Command;
import dev.mailwright.pop3.session.Pop3Reply;
import dev.mailwright.pop3.session.Pop3Session;
import dev.mailwright.pop3.session.Pop3State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** CAPA (RFC 2449): exactly what this connection can do now. */
public final class CapaCommand implements Pop3Command {

    @Override
    public String verb() {
        return "CAPA";
    }

    @Override
    public Set<Pop3State> states() {
        return Set.of(Pop3State.AUTHORIZATION, Pop3State.TRANSACTION);
    }

    @Override
    public boolean runsWithoutBlocking(Pop3Session session, String arguments) {
        return true;
    }

    @Override
    public Pop3Reply execute(Pop3Session session, String arguments) {
        return Pop3Reply.ok("Capability list follows", capabilities(session));
    }

    public static List<String> capabilities(Pop3Session session) {
        boolean auth = session.state() == Pop3State.AUTHORIZATION;
        List<String> c = new ArrayList<>();
        c.add("TOP");
        if (auth && session.plaintextAllowed()) {
            c.add("USER");
        }
        c.add("UIDL");
        c.add("RESP-CODES");
        c.add("AUTH-RESP-CODE");
        c.add("PIPELINING");
        if (auth && !AuthCommand.mechanisms(session).isEmpty()) {
            c.add("SASL " + String.join(" ", AuthCommand.mechanisms(session)));
        }
        if (session.canStartTls()) {
            c.add("STLS");
        }
        // before login the value may differ per user (RFC 2449 section 6.5, 6.6)
        String perUser = auth ? " USER" : "";
        Optional<Duration> expire = session.expire(session.account());
        c.add("EXPIRE " + expire.map(CapaCommand::days).orElse("NEVER") + perUser);
        c.add("LOGIN-DELAY " + session.loginDelay(session.account()).toSeconds() + perUser);
        if (auth) {
            c.add("UTF8 USER");
        }
        c.add("IMPLEMENTATION Mailwright");
        return c;
    }

    private static String days(Duration d) {
        long days = d.toDays();
        if (d.isZero()) {
            return "0";
        }
        return Long.toString(Math.max(1, days + (d.minusDays(days).isZero() ? 0 : 1)));
    }
}
