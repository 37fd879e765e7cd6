package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.OriginatorFields;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Policy hooks. Each method has no opinion unless overridden; implementations are shared by
 * all sessions of a listener and must be thread-safe.
 *
 * <p>A hook that may block (a store or DNS lookup) says so in {@link #mayBlock}: the transport
 * answers commands whose hooks never block on its I/O thread, and hands the others to a worker.
 */
public interface SmtpPolicy {

    /** Where in the dialogue a hook is asked. */
    enum Stage {
        CONNECT, HELO, MAIL, RCPT, END_OF_DATA
    }

    SmtpPolicy NONE = new SmtpPolicy() {
        @Override
        public boolean mayBlock(Stage stage, SessionInfo session) {
            return false;
        }
    };

    /** Before the greeting. A refusal replaces the greeting and closes the connection. */
    default PolicyResult connect(SessionInfo session) {
        return PolicyResult.NO_OPINION;
    }

    default PolicyResult helo(SessionInfo session, String name) {
        return PolicyResult.NO_OPINION;
    }

    default PolicyResult mail(SessionInfo session, MailFrom from) {
        return PolicyResult.NO_OPINION;
    }

    /** @param accepted the recipients accepted so far in this transaction */
    default PolicyResult rcpt(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo recipient) {
        return PolicyResult.NO_OPINION;
    }

    /**
     * After the whole content arrived and before it is committed.
     *
     * @param originators the From and Sender fields, read from the content of authenticated
     *                    (submitted) messages; {@link OriginatorFields#UNREAD} otherwise
     */
    default PolicyResult endOfData(SessionInfo session, MailFrom from, List<RcptTo> recipients, long size,
                                   OriginatorFields originators) {
        return PolicyResult.NO_OPINION;
    }

    /**
     * Whether {@link #content} wants to read the messages of this session. Only then is a
     * message's content spooled apart until the end of data (in memory when small, else in a
     * temporary file) and the trace fields written after the hooks answered; a listener whose
     * hooks all answer false streams content straight into its sink as before.
     */
    default boolean readsContent(SessionInfo session) {
        return false;
    }

    /**
     * After the {@link #endOfData} hooks let the message through, before it is committed: reads
     * the content (as often as needed, never whole into memory) and refuses the message or adds
     * header fields, a subject tag, and removals of fields ({@link ContentVerdict}). Asked only
     * when {@link #readsContent} is true for the session, and always off the I/O threads (content
     * is received on the session's worker). Every content hook of a chain is asked, in order,
     * until one refuses.
     *
     * @param earlier the verdicts of the content hooks asked before this one, in order
     */
    default ContentVerdict content(SessionInfo session, MailFrom from, List<RcptTo> recipients, ReceivedContent content,
                                   List<ContentVerdict> earlier) {
        return ContentVerdict.NONE;
    }

    /**
     * Whether the hook for {@code stage} may block this session's thread (I/O, a lock held for
     * long) in the session's present state. The default is the safe answer; a policy that only
     * computes in memory answers false so that its commands can run without a thread hand-off.
     */
    default boolean mayBlock(Stage stage, SessionInfo session) {
        return true;
    }

    /**
     * Whether the {@link #rcpt} hook may block for this recipient. By default as
     * {@link #mayBlock} says for {@link Stage#RCPT}; a hook that blocks only for recipients it
     * has to look up says which.
     */
    default boolean mayBlockAt(SessionInfo session, RcptTo recipient) {
        return mayBlock(Stage.RCPT, session);
    }

    /** Asks the hooks in order; the first with an opinion decides. */
    static SmtpPolicy chain(List<? extends SmtpPolicy> hooks) {
        List<SmtpPolicy> list = List.copyOf(hooks);
        return new SmtpPolicy() {
            private PolicyResult ask(Function<SmtpPolicy, PolicyResult> question) {
                for (SmtpPolicy hook : list) {
                    PolicyResult r = question.apply(hook);
                    if (r.kind() != PolicyResult.Kind.NO_OPINION) {
                        return r;
                    }
                }
                return PolicyResult.NO_OPINION;
            }

            @Override
            public boolean mayBlock(Stage stage, SessionInfo session) {
                for (SmtpPolicy hook : list) {
                    if (hook.mayBlock(stage, session)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public boolean mayBlockAt(SessionInfo session, RcptTo recipient) {
                for (SmtpPolicy hook : list) {
                    if (hook.mayBlockAt(session, recipient)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public PolicyResult connect(SessionInfo session) {
                return ask(h -> h.connect(session));
            }

            @Override
            public PolicyResult helo(SessionInfo session, String name) {
                return ask(h -> h.helo(session, name));
            }

            @Override
            public PolicyResult mail(SessionInfo session, MailFrom from) {
                return ask(h -> h.mail(session, from));
            }

            @Override
            public PolicyResult rcpt(SessionInfo session, MailFrom from, List<RcptTo> accepted, RcptTo recipient) {
                return ask(h -> h.rcpt(session, from, accepted, recipient));
            }

            @Override
            public PolicyResult endOfData(SessionInfo session, MailFrom from, List<RcptTo> recipients, long size,
                                          OriginatorFields originators) {
                return ask(h -> h.endOfData(session, from, recipients, size, originators));
            }

            @Override
            public boolean readsContent(SessionInfo session) {
                for (SmtpPolicy hook : list) {
                    if (hook.readsContent(session)) {
                        return true;
                    }
                }
                return false;
            }

            @Override
            public ContentVerdict content(SessionInfo session, MailFrom from, List<RcptTo> recipients,
                                          ReceivedContent content, List<ContentVerdict> earlier) {
                List<ContentVerdict> seen = new ArrayList<>(earlier);
                List<ContentVerdict> mine = new ArrayList<>();
                for (SmtpPolicy hook : list) {
                    if (!hook.readsContent(session)) {
                        continue;
                    }
                    ContentVerdict v = hook.content(session, from, recipients, content, List.copyOf(seen));
                    seen.add(v);
                    mine.add(v);
                    if (v.refuses()) {
                        break;
                    }
                }
                return ContentVerdict.combine(mine);
            }
        };
    }
}
