package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;

/** EXPN: not offered (502); list membership is nobody else's business. */
public final class ExpnCommand implements SmtpCommand {

    @Override
    public String verb() {
        return "EXPN";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.ANY;
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        return SmtpReply.EXPN;
    }
}
