package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * EHLO (RFC 5321 4.1.1.1): greets and lists the extensions this connection has now; STARTTLS
 * only before TLS, AUTH only with the mechanisms allowed now. Resets any transaction.
 */
public final class EhloCommand implements SmtpCommand {

    @Override
    public String verb() {
        return "EHLO";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.NOT_CHUNKING;
    }

    @Override
    public boolean runsWithoutBlocking(SmtpSession session) {
        return !session.policy().mayBlock(SmtpPolicy.Stage.HELO, session.client());
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        String name = HeloNames.parse(argument);
        PolicyResult verdict = session.ask(() -> session.policy().helo(session.client(), name));
        if (verdict.refuses()) {
            return verdict.reply();
        }
        session.greeted(name, true);
        List<String> lines = new ArrayList<>();
        lines.add(session.settings().hostname() + " Hello " + name);
        lines.add("PIPELINING");
        lines.add("SIZE " + session.settings().maxMessageSize());
        lines.add("8BITMIME");
        lines.add("SMTPUTF8");
        lines.add("CHUNKING");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("DSN");
        if (session.client().canStartTls()) {
            lines.add("STARTTLS");
        }
        if (session.client().tls()) {
            lines.add("REQUIRETLS"); // RFC 8689 3: only where the parameter may be given
        }
        List<String> mechanisms = AuthCommand.mechanisms(session);
        if (!mechanisms.isEmpty()) {
            lines.add("AUTH " + String.join(" ", mechanisms));
        }
        lines.add("LIMITS RCPTMAX=" + session.settings().maxRecipients());
        return SmtpReply.multi(250, null, lines);
    }
}
