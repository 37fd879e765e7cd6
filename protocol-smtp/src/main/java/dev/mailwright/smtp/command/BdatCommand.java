package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpResponse;
import dev.mailwright.smtp.session.Phase;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * BDAT (RFC 3030): a chunk of exactly the given size follows. The chunk is always read, even
 * when the command fails (then it is dropped and the failure is the reply). The reply to
 * {@code LAST} comes only after the message was committed.
 */
public final class BdatCommand implements SmtpCommand {

    static final SmtpReply SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: BDAT size [LAST]");
    private static final Pattern ARGUMENT = Pattern.compile("(\\d{1,18})( +LAST)? *", Pattern.CASE_INSENSITIVE);
    private static final Set<Phase> PHASES = EnumSet.of(Phase.READY, Phase.MAIL, Phase.RCPT, Phase.BDAT);

    @Override
    public String verb() {
        return "BDAT";
    }

    @Override
    public Set<Phase> phases() {
        return PHASES;
    }

    @Override
    public SmtpResponse execute(SmtpSession session, String argument) {
        Matcher m = ARGUMENT.matcher(argument);
        if (!m.matches()) {
            return SYNTAX;
        }
        long size = Long.parseLong(m.group(1));
        boolean last = m.group(2) != null;
        SmtpReply failure = switch (session.phase()) {
            case READY -> SmtpReply.MAIL_FIRST;
            case MAIL -> SmtpReply.NO_VALID_RECIPIENTS;
            default -> null;
        };
        session.receiver().startChunk(size, last, failure);
        return SmtpResponse.Deferred.AFTER_CHUNK;
    }
}
