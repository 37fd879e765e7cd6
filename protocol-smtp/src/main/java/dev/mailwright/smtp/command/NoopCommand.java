package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;

/** NOOP (RFC 5321 4.1.1.9); an argument is allowed and ignored. */
public final class NoopCommand implements SmtpCommand {

    @Override
    public String verb() {
        return "NOOP";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.ANY;
    }

    @Override
    public boolean runsWithoutBlocking(SmtpSession session) {
        return true;
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        return SmtpReply.OK;
    }
}
