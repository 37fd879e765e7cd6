package dev.mailwright.filter.rspamd;

import dev.mailwright.filter.ContentFilter;
import dev.mailwright.filter.FilterMetrics;
import dev.mailwright.filter.FilterRequest;
import dev.mailwright.filter.FilterVerdict;
import dev.mailwright.smtp.api.SmtpReply;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks rspamd about each message and maps its action ({@link RspamdSettings#outcome}): reject
 * {@code 550 5.7.1}, soft reject {@code 451 4.7.1}, or accept with {@code X-Spam-Status} (every
 * scanned message: score and action), {@code X-Spam: Yes} (spam kept) and perhaps the subject
 * tag. Fields of those names that came with the message are removed first, so a sender cannot
 * mark its own mail clean. When rspamd cannot answer in time: fail-open accepts the message with
 * {@code X-Spam-Status: Unknown} and a warning in the log, fail-closed answers {@code 451 4.3.0}.
 */
public final class RspamdFilter implements ContentFilter {

    private static final Logger LOG = LoggerFactory.getLogger(RspamdFilter.class);
    static final String NAME = "rspamd";

    static final SmtpReply REJECTED = SmtpReply.of(550, "5.7.1", "Message rejected as spam");
    static final SmtpReply DEFERRED = SmtpReply.of(451, "4.7.1", "Message deferred by the content filter, try again later");
    static final SmtpReply UNAVAILABLE = SmtpReply.of(451, "4.3.0", "Content filter unavailable, try again later");
    /** The fields this filter writes; any the message brings are removed. */
    static final List<String> OWN_FIELDS = List.of("X-Spam-Status", "X-Spam");

    private final RspamdSettings settings;
    private final RspamdClient client;
    private final FilterMetrics metrics;

    public RspamdFilter(RspamdSettings settings, String hostname, FilterMetrics metrics) {
        this.settings = settings;
        this.client = new RspamdClient(settings.url(), settings.timeout(), hostname);
        this.metrics = metrics;
    }

    @Override
    public FilterVerdict check(FilterRequest request) {
        if (request.size() > settings.maxSize()) {
            LOG.info("rspamd {} not scanned: {} octets, more than {}", request.queueId(), request.size(), settings.maxSize());
            return accept(List.of("X-Spam-Status: Unknown, not scanned (too large)"), Optional.empty(), "not scanned: too large");
        }
        long start = System.nanoTime();
        RspamdResult result;
        try {
            result = client.check(request);
        } catch (HttpTimeoutException e) {
            return failed(request, "timeout", "no answer within " + settings.timeout().toMillis() + " ms", start);
        } catch (IOException e) {
            return failed(request, e instanceof java.net.ConnectException ? "unavailable" : "error",
                    e.getClass().getSimpleName() + ": " + e.getMessage(), start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(request, "error", "interrupted", start);
        } catch (RuntimeException e) {
            LOG.error("rspamd {} check failed", request.queueId(), e);
            return failed(request, "error", e.toString(), start);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        metrics.checked(NAME, result.action(), result.score(), took);
        RspamdSettings.Outcome outcome = settings.outcome(result.action());
        String summary = String.format(Locale.ROOT, "rspamd %s, score %.2f/%.2f: %s", result.action(), result.score(),
                result.requiredScore(), outcome.configName());
        String log = "rspamd {} action={} score={} required={} outcome={} took={}ms symbols={}{}";
        Object[] args = {request.queueId(), result.action(), result.score(), result.requiredScore(),
                outcome.configName(), took.toMillis(), result.symbols(),
                result.smtpMessage().map(m -> " message=\"" + m + "\"").orElse("")};
        if (outcome == RspamdSettings.Outcome.REJECT || outcome == RspamdSettings.Outcome.SOFT_REJECT) {
            LOG.info(log, args);
        } else {
            LOG.debug(log, args);
        }
        boolean spam = outcome == RspamdSettings.Outcome.ADD_HEADER || outcome == RspamdSettings.Outcome.SUBJECT_TAG;
        String status = String.format(Locale.ROOT, "X-Spam-Status: %s, score=%.2f required=%.2f action=%s",
                spam ? "Yes" : "No", result.score(), result.requiredScore(), result.action().replace(' ', '_'));
        return switch (outcome) {
            case REJECT -> new FilterVerdict.Refuse(REJECTED, summary);
            case SOFT_REJECT -> new FilterVerdict.Refuse(DEFERRED, summary);
            case SUBJECT_TAG -> accept(List.of(status, "X-Spam: Yes"), Optional.of(settings.subjectTag()), summary);
            case ADD_HEADER -> accept(List.of(status, "X-Spam: Yes"), Optional.empty(), summary);
            case ACCEPT -> accept(List.of(status), Optional.empty(), summary);
        };
    }

    private FilterVerdict failed(FilterRequest request, String reason, String detail, long start) {
        metrics.failed(NAME, reason, Duration.ofNanos(System.nanoTime() - start));
        if (settings.failOpen()) {
            LOG.warn("rspamd {} could not check the message ({}: {}); accepted unchecked (fail-open)",
                    request.queueId(), reason, detail);
            return accept(List.of("X-Spam-Status: Unknown, not scanned (content filter unavailable)"), Optional.empty(),
                    "rspamd unavailable, accepted unchecked");
        }
        LOG.warn("rspamd {} could not check the message ({}: {}); deferred (fail-closed)", request.queueId(), reason,
                detail);
        return new FilterVerdict.Refuse(UNAVAILABLE, "rspamd unavailable: " + reason);
    }

    private static FilterVerdict accept(List<String> fields, Optional<String> tag, String summary) {
        return new FilterVerdict.Accept(new ArrayList<>(fields), OWN_FIELDS, tag, summary);
    }
}
