package dev.mailwright.smtp.session;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.OriginatorFields;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.policy.ReceivedContent;
import dev.mailwright.store.content.ContentSpool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * One mail transaction: sender, recipients, the open sink and the content on its way. Lives
 * from MAIL FROM to the reply after the content (or RSET, EHLO, STARTTLS, disconnect).
 */
public final class Transaction {

    private final String id;
    private final MailFrom from;
    private final MessageSink sink;
    private final List<RcptTo> recipients = new ArrayList<>();
    private Content content;
    private DataDecoder decoder;
    private Supplier<OriginatorFields> originators = () -> OriginatorFields.UNREAD;
    /** The content kept apart for the content hooks, or null when it streams straight into the sink. */
    private ContentSpool spool;
    /** With a spool: the trace fields, written into the sink with the hooks' fields at the end. */
    private String returnPath = "";
    private String received = "";

    Transaction(String id, MailFrom from, MessageSink sink) {
        this.id = id;
        this.from = from;
        this.sink = sink;
    }

    public String id() {
        return id;
    }

    public MailFrom from() {
        return from;
    }

    public MessageSink sink() {
        return sink;
    }

    public List<RcptTo> recipients() {
        return List.copyOf(recipients);
    }

    void addRecipient(RcptTo rcpt) {
        recipients.add(rcpt);
    }

    int recipientCount() {
        return recipients.size();
    }

    Content content() {
        return content;
    }

    DataDecoder decoder() {
        return decoder;
    }

    void startContent(Content content, DataDecoder decoder) {
        this.content = content;
        this.decoder = decoder;
    }

    /** Where the originator fields of the content will be known once it ended. */
    void originators(Supplier<OriginatorFields> fields) {
        this.originators = fields;
    }

    OriginatorFields originators() {
        return originators.get();
    }

    boolean contentStarted() {
        return content != null;
    }

    /** Keeps the content apart for the content hooks; returns where it goes. */
    OutputStream spool(ContentSpool spool, String returnPath, String received) {
        this.spool = spool;
        this.returnPath = returnPath;
        this.received = received;
        return spool;
    }

    boolean spooled() {
        return spool != null;
    }

    String returnPath() {
        return returnPath;
    }

    String received() {
        return received;
    }

    /** The spooled content as the content hooks read it. */
    ReceivedContent received(long size) {
        ContentSpool s = spool;
        return new ReceivedContent() {
            @Override
            public InputStream open() {
                return s.open();
            }

            @Override
            public long size() {
                return size;
            }
        };
    }

    /** Drops the sink's transaction and the spooled content. */
    void abort() {
        sink.abort();
        release();
    }

    /** Frees the spooled content (after commit or abort). Idempotent. */
    void release() {
        if (spool != null) {
            spool.discard();
        }
    }

    /**
     * The sink's content stream behind a guard: counts the client's octets, stops writing past
     * the size limit, and turns a failing sink into a remembered reply instead of an exception,
     * so that the rest of the data is still read before the one reply.
     */
    static final class Content extends OutputStream {
        private final OutputStream out;
        private final long max;
        private long size;
        private boolean oversize;
        private SmtpReply failure;
        private RuntimeException cause;

        Content(OutputStream out, long max) {
            this.out = out;
            this.max = max;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            size += len;
            if (size > max) {
                oversize = true;
            }
            if (oversize || failure != null) {
                return;
            }
            try {
                out.write(b, off, len);
            } catch (SmtpRejection e) {
                failure = e.reply();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        /** Writes server-made header lines; not counted against the client's size. */
        void header(byte[] bytes) {
            try {
                out.write(bytes);
            } catch (SmtpRejection e) {
                failure = e.reply();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        /** Flushes what the filters hold back (MissingHeaders); a failure is remembered. */
        void finish() {
            if (oversize || failure != null) {
                return;
            }
            try {
                out.close();
            } catch (SmtpRejection e) {
                failure = e.reply();
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        private void fail(Exception e) {
            failure = SmtpReply.LOCAL_ERROR;
            cause = e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }

        long size() {
            return size;
        }

        boolean oversize() {
            return oversize;
        }

        SmtpReply failure() {
            return failure;
        }

        RuntimeException cause() {
            return cause;
        }
    }
}
