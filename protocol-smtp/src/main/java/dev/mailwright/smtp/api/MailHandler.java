package dev.mailwright.smtp.api;

import java.io.OutputStream;

/**
 * The embedding API for receiving mail into your own code instead of the store: one handler
 * per mail transaction, made by a {@link Factory} at {@code MAIL FROM}.
 *
 * <p>Every step may refuse by throwing {@link SmtpRejection} with its own reply. The server
 * calls {@link #from}, then {@link #recipient} per {@code RCPT TO}, then writes the content
 * (dot-unstuffed, trace headers first) to {@link #content()} as it arrives, and calls
 * {@link #done()} at the end of data: the client gets {@code 250} only after {@code done()}
 * returns. A transaction that ends any other way (RSET, size limit, disconnect) gets
 * {@link #abort()} instead. Content is pushed as it streams (the network layer is
 * event-driven), so a handler never needs a thread of its own and never sees a message that
 * is not whole.
 */
public interface MailHandler {

    /** The sender; throw {@link SmtpRejection} to refuse it. */
    default void from(MailFrom from) {
    }

    /** One recipient; throw {@link SmtpRejection} to refuse it (others may still be accepted). */
    default void recipient(RcptTo recipient) {
    }

    /**
     * Where the server writes the message. Called once, at the start of data. Writes may
     * throw {@link SmtpRejection} to refuse the message (the rest of the data is read and
     * discarded, then that reply is sent).
     */
    OutputStream content();

    /** The whole message was written; return to accept it, throw {@link SmtpRejection} to refuse it. */
    default void done() {
    }

    /** The transaction ended without {@link #done()}. */
    default void abort() {
    }

    /** Makes one handler per mail transaction. */
    @FunctionalInterface
    interface Factory {
        MailHandler create(SessionInfo session);
    }
}
