package dev.mailwright.outbound.internal;

import java.util.Optional;

/**
 * What one delivery attempt did for one recipient.
 *
 * @param kind       delivered, temporary or permanent failure
 * @param status     the enhanced status code (RFC 3463), e.g. {@code 5.1.1}
 * @param text       what happened, on one line
 * @param remoteMta  the host that answered, if one did
 * @param smtpReply  the remote reply when the outcome is one (DSN Diagnostic-Code)
 * @param dsnPassedOn the remote server took the DSN request (RFC 3461) over: we report nothing on success
 */
public record Outcome(Kind kind, String status, String text, Optional<String> remoteMta, Optional<Reply> smtpReply,
                      boolean dsnPassedOn) {

    public Outcome(Kind kind, String status, String text, Optional<String> remoteMta, Optional<Reply> smtpReply) {
        this(kind, status, text, remoteMta, smtpReply, false);
    }

    /** The same outcome, from a server that was given our DSN parameters. */
    public Outcome withDsnPassedOn() {
        return new Outcome(kind, status, text, remoteMta, smtpReply, true);
    }

    /** The three results. */
    public enum Kind {
        DELIVERED, TEMPORARY, PERMANENT
    }

    public static Outcome of(Reply reply, String remoteMta) {
        Kind kind = reply.isPositive() ? Kind.DELIVERED : reply.isTemporary() ? Kind.TEMPORARY : Kind.PERMANENT;
        return new Outcome(kind, reply.status(), reply.toString(), Optional.of(remoteMta), Optional.of(reply));
    }

    public static Outcome temporary(String status, String text) {
        return new Outcome(Kind.TEMPORARY, status, Reply.sanitize(text), Optional.empty(), Optional.empty());
    }

    public static Outcome temporary(String status, String text, String remoteMta) {
        return new Outcome(Kind.TEMPORARY, status, Reply.sanitize(text), Optional.of(remoteMta), Optional.empty());
    }

    public static Outcome permanent(String status, String text) {
        return new Outcome(Kind.PERMANENT, status, Reply.sanitize(text), Optional.empty(), Optional.empty());
    }

    public static Outcome permanent(String status, String text, String remoteMta) {
        return new Outcome(Kind.PERMANENT, status, Reply.sanitize(text), Optional.of(remoteMta), Optional.empty());
    }

    /** For the queue's last error and logs: {@code host: reply}. */
    public String describe() {
        return remoteMta.map(h -> h + ": ").orElse("") + text;
    }
}
