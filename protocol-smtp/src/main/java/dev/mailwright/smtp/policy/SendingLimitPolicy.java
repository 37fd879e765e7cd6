package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.RateCounters;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-account sending limits of authenticated clients (ADR 0031): messages (counted at MAIL)
 * and recipients (counted at each RCPT) per clock hour, in the store's {@link RateCounters}, so
 * that every node counts into the same hour. Past a limit MAIL or RCPT gets {@code 451 4.7.1}:
 * the limit lifts by itself at the next hour, and a mail client keeps the message in its outbox
 * and tries again, where a 5xx would make it give the message up. Hitting a limit is logged (a
 * warning naming the account: a stolen password shows up there) and reported to the listener
 * (a metric). Unauthenticated sessions are {@link RateLimitPolicy}'s (per client address).
 */
public final class SendingLimitPolicy implements SmtpPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(SendingLimitPolicy.class);

    /** Limits of one account per hour; 0 is no limit. */
    public record Limits(int messagesPerHour, int recipientsPerHour) {
        public Limits {
            if (messagesPerHour < 0 || recipientsPerHour < 0) {
                throw new IllegalArgumentException("sending limits must not be negative");
            }
        }
    }

    /** Told when an account reaches a limit: {@code messages} or {@code recipients}. */
    @FunctionalInterface
    public interface Listener {
        void limitReached(String user, String limit);
    }

    private final RateCounters counters;
    private final Function<String, Limits> limits;
    private final Clock clock;
    private final Listener listener;

    /** @param limits the limits of an account (as authenticated, lower case) */
    public SendingLimitPolicy(RateCounters counters, Function<String, Limits> limits, Clock clock, Listener listener) {
        this.counters = counters;
        this.limits = limits;
        this.clock = clock;
        this.listener = listener;
    }

    /** Counts in the store at MAIL and RCPT of an authenticated session. */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return (stage == Stage.MAIL || stage == Stage.RCPT) && session.authenticatedUser().isPresent();
    }

    @Override
    public PolicyResult mail(SessionInfo session, MailFrom from) {
        return count(session, "messages", Limits::messagesPerHour);
    }

    @Override
    public PolicyResult rcpt(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo recipient) {
        return count(session, "recipients", Limits::recipientsPerHour);
    }

    private PolicyResult count(SessionInfo session, String what, java.util.function.ToIntFunction<Limits> which) {
        if (session.authenticatedUser().isEmpty()) {
            return PolicyResult.NO_OPINION;
        }
        String user = session.authenticatedUser().get().toLowerCase(Locale.ROOT);
        int limit = which.applyAsInt(limits.apply(user));
        if (limit == 0) {
            return PolicyResult.NO_OPINION;
        }
        Instant hour = clock.instant().truncatedTo(ChronoUnit.HOURS);
        RateCounters.Result r = counters.add(what + ":" + user, hour, 1, limit);
        if (r.added()) {
            return PolicyResult.NO_OPINION;
        }
        LOG.warn("smtp {} sending limit reached: {} has used {} of its {} {} this hour; if that is not its owner, "
                + "change its password", session.sessionId(), user, r.count(), limit, what);
        listener.limitReached(user, what);
        return PolicyResult.tempFail(SmtpReply.of(451, "4.7.1", "Sending limit reached: at most " + limit + " "
                + what + " per hour, please try again later"));
    }
}
