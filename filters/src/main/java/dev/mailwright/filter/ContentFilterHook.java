package dev.mailwright.filter;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.policy.ContentVerdict;
import dev.mailwright.smtp.policy.ReceivedContent;
import dev.mailwright.smtp.policy.SmtpPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Asks a {@link ContentFilter} from protocol-smtp's end-of-data content hook ({@link SmtpPolicy#content},
 * ADR 0030): the content is the spooled message the hook reads, the authentication verdicts are
 * what the hooks before it found ({@code spf}, {@code dkim}, {@code dmarc}, {@code dmarc.disposition},
 * as mail authentication reports them), and the filter's verdict becomes the hook's: a refusal,
 * or fields to prepend, a subject tag and fields to drop. Put it after mail authentication.
 */
public final class ContentFilterHook implements SmtpPolicy {

    private final String name;
    private final ContentFilter filter;
    private final Predicate<SessionInfo> applies;

    /**
     * @param name    the check's name in the log and in the verdict's results ({@code rspamd})
     * @param applies the sessions whose messages are filtered
     */
    public ContentFilterHook(String name, ContentFilter filter, Predicate<SessionInfo> applies) {
        this.name = name;
        this.filter = filter;
        this.applies = applies;
    }

    @Override
    public boolean readsContent(SessionInfo session) {
        return applies.test(session);
    }

    /** Only the content hook asks the filter (over the network). */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return stage == Stage.END_OF_DATA;
    }

    @Override
    public ContentVerdict content(SessionInfo session, MailFrom from, List<RcptTo> recipients, ReceivedContent content,
                                  List<ContentVerdict> earlier) {
        Map<String, String> results = new LinkedHashMap<>();
        earlier.forEach(v -> results.putAll(v.results()));
        AuthVerdicts auth = new AuthVerdicts(Optional.ofNullable(results.get("spf")),
                Optional.ofNullable(results.get("dkim")), Optional.ofNullable(results.get("dmarc")),
                Optional.ofNullable(results.get("dmarc.disposition")));
        FilterVerdict verdict = filter.check(new FilterRequest(session.sessionId(), session, from, recipients, auth,
                () -> open(content), content.size()));
        if (verdict instanceof FilterVerdict.Refuse refuse) {
            return ContentVerdict.refuse(name, refuse.reply()).withResult(name, refuse.summary());
        }
        FilterVerdict.Accept accept = (FilterVerdict.Accept) verdict;
        ContentVerdict out = ContentVerdict.pass(name).withResult(name, accept.summary());
        for (String field : accept.headerFields()) {
            out = out.withField(field);
        }
        if (accept.subjectTag().isPresent()) {
            out = out.withSubjectTag(accept.subjectTag().get());
        }
        if (!accept.removeFields().isEmpty()) {
            List<String> names = accept.removeFields();
            out = out.removing((field, value) -> names.stream().anyMatch(field::equalsIgnoreCase));
        }
        return out;
    }

    private static InputStream open(ReceivedContent content) {
        try {
            return content.open();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
