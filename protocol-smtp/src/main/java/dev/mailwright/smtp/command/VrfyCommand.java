package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.Set;

/** VRFY (RFC 5321 3.5.3): always 252, so it never tells whether a user exists. */
public final class VrfyCommand implements SmtpCommand {

    @Override
    public String verb() {
        return "VRFY";
    }

    @Override
    public Set<Phase> phases() {
        return Phases.NOT_CHUNKING;
    }

    @Override
    public SmtpReply execute(SmtpSession session, String argument) {
        if (argument.isBlank()) {
            return SmtpReply.of(501, "5.5.4", "Syntax: VRFY address");
        }
        return SmtpReply.VRFY;
    }
}
