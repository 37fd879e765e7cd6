package dev.mailwright.smtp.delivery;

import dev.mailwright.smtp.api.RcptTo;
import java.io.OutputStream;

/**
 * The receiving end of one mail transaction: {@code recipients -> content -> commit | abort}.
 * Any step may throw {@link dev.mailwright.smtp.api.SmtpRejection} or
 * {@link dev.mailwright.store.StoreUnavailableException}; nothing is kept before {@link #commit()}.
 */
public interface MessageSink {

    /** Adds a recipient (after policy accepted it). */
    void recipient(RcptTo recipient);

    /**
     * Whether {@link #recipient} will add {@code recipient} without blocking; a true answer holds
     * for the next call with it. The default is the safe answer.
     */
    default boolean recipientWithoutBlocking(RcptTo recipient) {
        return false;
    }

    /** Whether the message reaches a local mailbox, so that it gets a Return-Path header. */
    boolean delivers();

    /** Where the content goes, trace headers first. */
    OutputStream content();

    /** Keeps the message; returns only when it is durably kept, with where it went for the log. */
    String commit();

    /** Drops the transaction. Idempotent; never throws. */
    void abort();

    /** Opens a sink at MAIL FROM. */
    @FunctionalInterface
    interface Factory {
        MessageSink open(dev.mailwright.smtp.api.SessionInfo session, dev.mailwright.smtp.api.MailFrom from);

        /**
         * Whether {@link #open}, {@link MessageSink#content()} (getting the stream, not writing
         * to it) and {@link MessageSink#abort()} never block, so that MAIL, DATA and RSET can be
         * answered on an I/O thread. The default is the safe answer.
         */
        default boolean opensWithoutBlocking() {
            return false;
        }
    }
}
