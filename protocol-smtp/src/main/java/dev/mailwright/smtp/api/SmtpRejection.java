package dev.mailwright.smtp.api;

/**
 * Refuses a step of a mail transaction with a reply of the thrower's choosing (4xx or 5xx).
 * Policy hooks, {@link MailHandler}s and commands throw it; the session sends the reply and
 * the transaction continues or ends as SMTP says for that step.
 */
public final class SmtpRejection extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient SmtpReply reply;

    public SmtpRejection(SmtpReply reply) {
        super(reply.toString(), null, false, false);
        if (reply.isPositive()) {
            throw new IllegalArgumentException("a rejection needs a 4xx or 5xx reply, not " + reply.code());
        }
        this.reply = reply;
    }

    public SmtpReply reply() {
        return reply;
    }
}
