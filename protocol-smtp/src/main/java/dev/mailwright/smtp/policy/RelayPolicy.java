package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import java.util.List;
import java.util.function.Predicate;

/**
 * No open relay: a recipient outside our domains is refused with {@code 550 5.7.1} unless
 * the client authenticated.
 */
public final class RelayPolicy implements SmtpPolicy {

    private final Predicate<String> isLocalDomain;

    /** @param isLocalDomain whether a (lower-case) domain is ours */
    public RelayPolicy(Predicate<String> isLocalDomain) {
        this.isLocalDomain = isLocalDomain;
    }

    /** Only RCPT asks the store (whether a domain is ours). */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return stage == Stage.RCPT;
    }

    /** Not for an authenticated client, nor for a domain the {@link LocalDomainCache} remembers as ours. */
    @Override
    public boolean mayBlockAt(SessionInfo session, RcptTo recipient) {
        return session.authenticatedUser().isEmpty()
                && !(isLocalDomain instanceof LocalDomainCache cache && cache.remembers(recipient.address().domain()));
    }

    @Override
    public PolicyResult rcpt(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo recipient) {
        if (session.authenticatedUser().isPresent() || isLocalDomain.test(recipient.address().domain())) {
            return PolicyResult.NO_OPINION;
        }
        return PolicyResult.reject(SmtpReply.RELAY_DENIED);
    }
}
