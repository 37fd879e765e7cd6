package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import java.util.List;

/** At most {@code max} recipients per transaction; the next gets {@code 452 4.5.3} (RFC 5321 4.5.3.1.10). */
public final class RecipientLimitPolicy implements SmtpPolicy {

    private final int max;

    public RecipientLimitPolicy(int max) {
        this.max = max;
    }

    /** Counts in memory. */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return false;
    }

    @Override
    public PolicyResult rcpt(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo recipient) {
        return accepted.size() >= max ? PolicyResult.tempFail(SmtpReply.TOO_MANY_RECIPIENTS) : PolicyResult.NO_OPINION;
    }
}
