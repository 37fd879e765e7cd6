package dev.mailwright.filter;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.store.content.ContentSpool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Runs a {@link ContentFilter} on each message before the sink it wraps keeps it: the content is
 * spooled ({@link ContentSpool}: memory, then a temporary file) while it arrives; at commit the
 * filter reads it; a refusal becomes the transaction's reply and nothing is kept; an accept
 * writes the content, with the filter's header changes, into the wrapped sink, which then
 * commits. So the filter runs after the end-of-data policy hooks and before anything is stored,
 * on the session's worker thread (commit may block), and the client gets its reply only after.
 *
 * <p>This is the way in while protocol-smtp has no end-of-data hook that sees the content
 * (ADR 0031): once it has, the filter is asked there and this wrapper, with its second spool of
 * the content, goes.
 */
public final class FilteringMessageSink implements MessageSink {

    private final MessageSink delegate;
    private final ContentFilter filter;
    private final SessionInfo session;
    private final MailFrom from;
    private final List<RcptTo> recipients = new ArrayList<>();
    private final ContentSpool spool = new ContentSpool();

    private FilteringMessageSink(MessageSink delegate, ContentFilter filter, SessionInfo session, MailFrom from) {
        this.delegate = delegate;
        this.filter = filter;
        this.session = session;
        this.from = from;
    }

    /**
     * Wraps the sinks {@code sinks} opens: sessions that {@code applies} accepts get their messages
     * filtered, the others go straight to the wrapped sink.
     */
    public static MessageSink.Factory wrap(MessageSink.Factory sinks, ContentFilter filter,
                                           Predicate<SessionInfo> applies) {
        return new MessageSink.Factory() {
            @Override
            public MessageSink open(SessionInfo session, MailFrom from) {
                MessageSink sink = sinks.open(session, from);
                return applies.test(session) ? new FilteringMessageSink(sink, filter, session, from) : sink;
            }

            @Override
            public boolean opensWithoutBlocking() {
                return sinks.opensWithoutBlocking();
            }
        };
    }

    @Override
    public void recipient(RcptTo recipient) {
        delegate.recipient(recipient);
        recipients.add(recipient);
    }

    @Override
    public boolean recipientWithoutBlocking(RcptTo recipient) {
        return delegate.recipientWithoutBlocking(recipient);
    }

    @Override
    public boolean delivers() {
        return delegate.delivers();
    }

    @Override
    public OutputStream content() {
        return spool;
    }

    @Override
    public String commit() {
        try {
            FilterVerdict verdict = filter.check(new FilterRequest(session.sessionId(), session, from, recipients,
                    AuthVerdicts.NONE, spool::open, spool.size()));
            if (verdict instanceof FilterVerdict.Refuse refuse) {
                throw new SmtpRejection(refuse.reply());
            }
            FilterVerdict.Accept accept = (FilterVerdict.Accept) verdict;
            try (InputStream in = spool.open(); OutputStream out = delegate.content()) {
                if (accept.unchanged()) {
                    in.transferTo(out);
                } else {
                    HeaderEdit.copy(in, out, accept);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("copying the filtered content failed", e);
            }
            return delegate.commit() + " (" + accept.summary() + ")";
        } finally {
            spool.discard();
        }
    }

    @Override
    public void abort() {
        spool.discard();
        delegate.abort();
    }
}
