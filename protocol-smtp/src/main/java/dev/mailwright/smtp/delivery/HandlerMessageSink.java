package dev.mailwright.smtp.delivery;

import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.api.RcptTo;
import java.io.OutputStream;

/** Delivery into a caller's {@link MailHandler}. */
public final class HandlerMessageSink implements MessageSink {

    private final MailHandler handler;
    private boolean finished;

    private HandlerMessageSink(MailHandler handler) {
        this.handler = handler;
    }

    public static MessageSink.Factory factory(MailHandler.Factory handlers) {
        return (session, from) -> {
            MailHandler handler = handlers.create(session);
            handler.from(from);
            return new HandlerMessageSink(handler);
        };
    }


    @Override
    public void recipient(RcptTo recipient) {
        handler.recipient(recipient);
    }

    @Override
    public boolean delivers() {
        return true;
    }

    @Override
    public OutputStream content() {
        return handler.content();
    }

    @Override
    public String commit() {
        handler.done();
        finished = true;
        return "handler";
    }

    @Override
    public void abort() {
        if (!finished) {
            finished = true;
            try {
                handler.abort();
            } catch (RuntimeException ignored) {
                // the transaction is over either way
            }
        }
    }
}
