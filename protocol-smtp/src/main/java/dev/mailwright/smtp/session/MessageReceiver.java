package dev.mailwright.smtp.session;

import dev.mailwright.protocol.limit.MinimumRate;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.delivery.ContentEdits;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.delivery.MissingHeaders;
import dev.mailwright.smtp.delivery.TraceHeaders;
import dev.mailwright.smtp.policy.ContentVerdict;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.store.content.ContentSpool;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Receives a message's content for one session, DATA (RFC 5321, up to CRLF.CRLF) or BDAT
 * chunks (RFC 3030, exactly the announced octets), then asks the end-of-data hooks and commits
 * the transaction. The final reply goes out only after the commit returned.
 *
 * <p>Content must keep a least average rate from the start of a message to its end, pauses
 * between BDAT chunks included ({@link MinimumRate}, ADR 0028); a client below it gets
 * {@code 421 4.4.2}, the connection is closed and nothing is stored.
 */
public final class MessageReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(MessageReceiver.class);

    private final SmtpSession session;
    private final Clock clock;
    private final MinimumRate rate;
    /** Octets of the BDAT chunk still to read, or -1 when no chunk is being read. */
    private long chunkRemaining = -1;
    private long chunkSize;
    private boolean chunkLast;
    /** The reply to a chunk that is read only to be dropped. */
    private SmtpReply chunkFailure;

    MessageReceiver(SmtpSession session, Clock clock) {
        this.session = session;
        this.clock = clock;
        this.rate = new MinimumRate(session.settings().deadlines().minDataRate(),
                session.settings().deadlines().dataRateGrace());
    }

    /** DATA was accepted: what follows is content until CRLF.CRLF. */
    public void startData() {
        openContent(false);
        session.phase(Phase.DATA);
    }

    /**
     * BDAT: the next {@code size} octets are a chunk. With a {@code failure}, the chunk is read
     * and dropped and that is the reply; otherwise it goes into the transaction.
     */
    public void startChunk(long size, boolean last, SmtpReply failure) {
        chunkRemaining = size;
        chunkSize = size;
        chunkLast = last;
        chunkFailure = failure;
        rate.start(); // a chunk read only to be dropped is held to the rate too
        if (failure == null) {
            if (!session.openTransaction().contentStarted()) {
                openContent(true);
            }
            session.phase(Phase.BDAT);
        }
        if (size == 0) {
            endChunk();
        }
    }

    /** Whether the input is message content now, not commands. */
    boolean receiving() {
        return session.phase() == Phase.DATA || chunkRemaining >= 0;
    }

    /** Takes content from {@code input}; sends the reply when the content or the chunk ends. */
    void receive(ByteBuffer input) {
        if (rate.tooSlow()) {
            input.position(input.limit());
            reset();
            session.timedOut("data-rate"); // drops the transaction: nothing is stored
            return;
        }
        int from = input.position();
        try {
            if (session.phase() == Phase.DATA) {
                data(input);
            } else {
                chunk(input);
            }
            rate.received(input.position() - from);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // the content guard never throws
        }
    }

    /** The transaction is over (reply sent, dropped or reset): no chunk is pending any more. */
    void reset() {
        chunkRemaining = -1;
        chunkFailure = null;
        rate.stop();
    }

    private void data(ByteBuffer input) throws IOException {
        DataDecoder decoder = session.openTransaction().decoder();
        int used = decoder.feed(input.array(), input.arrayOffset() + input.position(), input.remaining());
        input.position(input.position() + used);
        if (decoder.ended()) {
            endOfMessage();
        }
    }

    private void chunk(ByteBuffer input) throws IOException {
        int take = (int) Math.min(input.remaining(), chunkRemaining);
        if (chunkFailure == null) {
            session.openTransaction().decoder().feed(input.array(), input.arrayOffset() + input.position(), take);
        }
        input.position(input.position() + take);
        chunkRemaining -= take;
        if (chunkRemaining == 0) {
            endChunk();
        }
    }

    private void endChunk() {
        chunkRemaining = -1;
        if (chunkFailure != null) {
            SmtpReply failure = chunkFailure;
            chunkFailure = null;
            if (session.openTransaction() == null || !session.openTransaction().contentStarted()) {
                rate.stop();
            }
            session.send(failure);
            return;
        }
        Transaction t = session.openTransaction();
        if (chunkLast) {
            try {
                t.decoder().finish();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            endOfMessage();
        } else if (t.content().oversize()) {
            // RFC 3030: the transaction fails at the chunk that passed the limit
            finish(SmtpReply.MESSAGE_TOO_BIG, "refused: too big");
        } else {
            session.send(SmtpReply.of(250, "2.0.0", chunkSize + " octets received"));
        }
    }

    private void openContent(boolean chunked) {
        rate.start();
        SmtpSettings settings = session.settings();
        Transaction transaction = session.openTransaction();
        MessageSink sink = transaction.sink();
        ZonedDateTime now = ZonedDateTime.now(clock);
        StringBuilder trace = new StringBuilder();
        String returnPath = sink.delivers() ? TraceHeaders.returnPath(transaction.from()) : "";
        String received = TraceHeaders.received(session.client(), settings.hostname(), transaction.id(),
                transaction.from(), transaction.recipients(), now);
        boolean hooksRead = session.policy().readsContent(session.client());
        OutputStream target = hooksRead ? transaction.spool(new ContentSpool(), returnPath, received) : sink.content();
        Transaction.Content content;
        if (settings.mode().isSubmission() || session.client().authenticatedUser().isPresent()) {
            // an authenticated client submits, whatever the port (RFC 6409 8); its From is checked at the end
            MissingHeaders completed = new MissingHeaders(target, () -> TraceHeaders.DATE.format(now),
                    () -> "<" + UUID.randomUUID() + "@" + settings.hostname() + ">");
            transaction.originators(completed::originators);
            content = new Transaction.Content(completed, settings.maxMessageSize());
        } else {
            content = new Transaction.Content(target, settings.maxMessageSize());
        }
        if (!hooksRead) { // else they are written after the content hooks answered
            trace.append(returnPath).append(received);
            content.header(trace.toString().getBytes(StandardCharsets.UTF_8));
        }
        DataDecoder.Mode mode = settings.bareLineEnds() == SmtpSettings.BareLineEnds.NORMALIZE
                ? DataDecoder.Mode.NORMALIZE : DataDecoder.Mode.REJECT;
        transaction.startContent(content, chunked ? DataDecoder.chunks(mode, content) : DataDecoder.data(mode, content));
    }

    private void endOfMessage() {
        Transaction t = session.openTransaction();
        Transaction.Content content = t.content();
        DataDecoder.Problem problem = t.decoder().problem();
        if (problem != DataDecoder.Problem.NONE) {
            finish(problem == DataDecoder.Problem.BARE_LF ? SmtpReply.BARE_LF_IN_DATA : SmtpReply.BARE_CR_IN_DATA,
                    "refused: " + problem);
            return;
        }
        if (content.oversize()) {
            finish(SmtpReply.MESSAGE_TOO_BIG, "refused: too big (" + content.size() + " octets)");
            return;
        }
        content.finish();
        if (content.failure() != null) {
            if (content.cause() != null) {
                LOG.error("smtp {} writing message {} failed", session.client().sessionId(), t.id(), content.cause());
            }
            finish(content.failure(), "failed while receiving: " + content.failure());
            return;
        }
        PolicyResult verdict = session.ask(() -> session.policy().endOfData(session.client(), t.from(), t.recipients(),
                content.size(), t.originators()));
        if (verdict.refuses()) {
            finish(verdict.reply(), "refused by policy: " + verdict.reply());
            return;
        }
        if (t.spooled()) {
            SmtpReply refused = askContentHooks(t, content.size());
            if (refused != null) {
                finish(refused, "refused by content check: " + refused);
                return;
            }
        }
        long commitStart = System.nanoTime();
        SmtpReply reply;
        String result;
        try {
            result = t.sink().commit();
            reply = SmtpReply.of(250, "2.0.0", "Ok: queued as " + t.id());
            session.metrics().messageAccepted(SmtpSession.PROTOCOL, content.size(), t.recipients().size(),
                    Duration.ofNanos(System.nanoTime() - commitStart));
        } catch (RuntimeException e) {
            reply = SmtpDispatcher.failure(session, "commit of " + t.id(), e);
            result = "not committed: " + reply;
        }
        finish(reply, result);
    }

    /**
     * Asks the content hooks about the spooled content, then writes it into the sink: the
     * Return-Path, the hooks' fields, the Received field, and the content with the hooks' edits.
     * Returns the refusal, or null when the message went into the sink.
     */
    private SmtpReply askContentHooks(Transaction t, long size) {
        ContentVerdict verdict;
        try {
            verdict = session.policy().content(session.client(), t.from(), t.recipients(), t.received(size), List.of());
        } catch (RuntimeException e) {
            return SmtpDispatcher.failure(session, "content hook", e);
        }
        if (verdict.refuses()) {
            return verdict.result().reply();
        }
        if (!verdict.results().isEmpty()) {
            LOG.info("smtp {} message {} checked: {}", session.client().sessionId(), t.id(), verdict.results());
        }
        try (InputStream in = t.received(size).open(); OutputStream out = t.sink().content()) {
            StringBuilder head = new StringBuilder(t.returnPath());
            for (String field : verdict.fields()) {
                head.append(field).append("\r\n");
            }
            head.append(t.received());
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            ContentEdits.copy(in, out, verdict.removes(), verdict.subjectTag());
        } catch (SmtpRejection e) {
            return e.reply();
        } catch (IOException | RuntimeException e) {
            LOG.error("smtp {} writing message {} failed", session.client().sessionId(), t.id(), e);
            return SmtpReply.LOCAL_ERROR;
        }
        return null;
    }

    /** Ends the transaction with {@code reply}: dropped unless it is positive; logged; answered. */
    private void finish(SmtpReply reply, String result) {
        Transaction t = session.openTransaction();
        if (!reply.isPositive()) {
            t.abort();
            session.metrics().messageRejected(SmtpSession.PROTOCOL, reply.isTransient() ? "temporary" : "permanent");
        }
        String line = t.id() + " from=" + t.from().path() + " size=" + t.content().size() + " rcpts="
                + t.recipients().stream().map(r -> r.address().toString()).toList() + " " + reply.code() + " " + result;
        reset();
        session.transactionEnded(line, reply);
    }
}
