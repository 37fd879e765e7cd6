package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;

/**
 * STARTTLS (RFC 3207): 220, then the TLS handshake. The session forgets everything but TLS
 * (HELO, AUTH, transaction) and discards any plaintext the client sent after the command.
 */
public final class StarttlsCommand implements SmtpCommand {

    static final SmtpReply ALREADY_TLS = SmtpReply.of(503, "5.5.1", "TLS already active");

    @Override
    public String verb() {
        return "STARTTLS";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.READY;
    }

    @Override
    public SmtpReply outOfSequence(Phase phase) {
        return phase == Phase.CONNECTED ? SmtpReply.HELO_FIRST : SmtpReply.BAD_SEQUENCE;
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        if (!argument.isEmpty()) {
            return SmtpReply.NO_ARGUMENTS_ALLOWED;
        }
        if (session.client().tls()) {
            return ALREADY_TLS;
        }
        if (!session.client().canStartTls()) {
            return SmtpReply.TLS_NOT_AVAILABLE;
        }
        session.startTls();
        return SmtpReply.READY_FOR_TLS;
    }
}
