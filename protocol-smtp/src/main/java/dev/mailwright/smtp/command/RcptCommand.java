package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import dev.mailwright.smtp.session.Transaction;
import java.util.EnumSet;
import java.util.Set;

/** RCPT TO (RFC 5321 4.1.1.3) with NOTIFY and ORCPT (RFC 3461). */
public final class RcptCommand implements SmtpCommand {

    private static final Set<Phase> PHASES = EnumSet.of(Phase.MAIL, Phase.RCPT);

    @Override
    public String verb() {
        return "RCPT";
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
            default -> SmtpReply.BAD_SEQUENCE;
        };
    }

    /**
     * When no policy hook blocks for this recipient and the sink can add it from memory (the
     * store remembers how it resolves): the common RCPT to a known mailbox, answered without a
     * hand-off. A malformed path only gets an error reply.
     */
    @Override
    public boolean runsWithoutBlocking(SmtpSession session, String argument) {
        Transaction t = session.transaction().orElse(null);
        if (t == null) {
            return true;
        }
        RcptTo rcpt;
        try {
            rcpt = PathParser.rcpt(argument, t.from().smtpUtf8(), session.settings().postmaster());
        } catch (SmtpRejection e) {
            return true;
        }
        return !session.policy().mayBlockAt(session.client(), rcpt) && t.sink().recipientWithoutBlocking(rcpt);
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        Transaction t = session.transaction().orElseThrow();
        RcptTo rcpt = PathParser.rcpt(argument, t.from().smtpUtf8(), session.settings().postmaster());
        PolicyResult verdict = session.ask(() -> session.policy().rcpt(session.client(), t.from(), t.recipients(), rcpt));
        if (verdict.refuses()) {
            return verdict.reply();
        }
        session.addRecipient(rcpt);
        return SmtpReply.RECIPIENT_OK;
    }
}
