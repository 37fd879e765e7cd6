package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;

/** RSET (RFC 5321 4.1.1.5): drops the mail transaction; connection state stays. */
public final class RsetCommand implements SmtpCommand {

    @Override
    public String verb() {
        return "RSET";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.ANY;
    }

    /** Drops the transaction, if any. */
    @Override
    public boolean runsWithoutBlocking(SmtpSession session) {
        return session.transaction().isEmpty() || session.sinksOpenWithoutBlocking();
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        if (!argument.isEmpty()) {
            return SmtpReply.NO_ARGUMENTS_ALLOWED;
        }
        session.resetTransaction();
        return SmtpReply.OK;
    }
}
