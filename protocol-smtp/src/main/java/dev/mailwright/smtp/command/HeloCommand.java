package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;

/** HELO (RFC 5321 4.1.1.1): plain SMTP greeting; resets any transaction. */
public final class HeloCommand implements SmtpCommand {

    @Override
    public String verb() {
        return "HELO";
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
        session.greeted(name, false);
        return SmtpReply.of(250, null, session.settings().hostname());
    }
}
