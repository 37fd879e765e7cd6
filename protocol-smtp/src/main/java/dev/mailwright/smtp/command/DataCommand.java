package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.EnumSet;
import java.util.Set;

/** DATA (RFC 5321 4.1.1.4): 354, then content until CRLF.CRLF; the final reply follows the commit. */
public final class DataCommand implements SmtpCommand {

    private static final Set<Phase> PHASES = EnumSet.of(Phase.RCPT);

    @Override
    public String verb() {
        return "DATA";
    }

    @Override
    public Set<Phase> phases() {
        return PHASES;
    }

    @Override
    public SmtpReply outOfSequence(Phase phase) {
        return switch (phase) {
            case CONNECTED -> SmtpReply.HELO_FIRST;
            case READY -> SmtpReply.MAIL_FIRST;
            case MAIL -> SmtpReply.NO_VALID_RECIPIENTS;
            default -> SmtpReply.BAD_SEQUENCE;
        };
    }

    /** Gets the sink's content stream; the content itself is read elsewhere. */
    @Override
    public boolean runsWithoutBlocking(SmtpSession session) {
        return session.sinksOpenWithoutBlocking();
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        if (!argument.isEmpty()) {
            return SmtpReply.NO_ARGUMENTS_ALLOWED;
        }
        session.receiver().startData();
        return SmtpReply.START_MAIL_INPUT;
    }
}
