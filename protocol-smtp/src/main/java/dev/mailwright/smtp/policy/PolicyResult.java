package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.SmtpReply;
import java.util.Objects;

/**
 * A hook's answer: accept (stop asking), reject (5xx), temp-fail (4xx) or no opinion (ask the next hook).
 *
 * @param reply the reply for reject and temp-fail, null otherwise
 */
public record PolicyResult(Kind kind, SmtpReply reply) {

    public enum Kind { ACCEPT, REJECT, TEMP_FAIL, NO_OPINION }

    public static final PolicyResult ACCEPT = new PolicyResult(Kind.ACCEPT, null);
    public static final PolicyResult NO_OPINION = new PolicyResult(Kind.NO_OPINION, null);

    public PolicyResult {
        Objects.requireNonNull(kind, "kind");
        boolean refusal = kind == Kind.REJECT || kind == Kind.TEMP_FAIL;
        if (refusal != (reply != null)) {
            throw new IllegalArgumentException(kind + (refusal ? " needs a reply" : " takes no reply"));
        }
        if (kind == Kind.REJECT && !reply.isPermanent() || kind == Kind.TEMP_FAIL && !reply.isTransient()) {
            throw new IllegalArgumentException(kind + " does not fit reply " + reply.code());
        }
    }

    public static PolicyResult reject(SmtpReply reply) {
        return new PolicyResult(Kind.REJECT, reply);
    }

    public static PolicyResult tempFail(SmtpReply reply) {
        return new PolicyResult(Kind.TEMP_FAIL, reply);
    }

    /** Whether the step is refused. */
    public boolean refuses() {
        return reply != null;
    }
}
