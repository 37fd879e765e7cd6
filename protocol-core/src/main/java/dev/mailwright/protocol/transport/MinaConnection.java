package dev.mailwright.protocol.transport;

import dev.mailwright.protocol.Deadlines;
import dev.mailwright.protocol.limit.MinimumRate;
import dev.mailwright.protocol.session.Connection;
import dev.mailwright.protocol.session.ProtocolSession;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.filter.ssl.SslFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: the bridge between a MINA session and a {@link ProtocolSession}, and the
 * session's ordered executor. Received octets go to an input queue; while nothing of the session
 * waits or runs on a worker, the I/O thread first offers them to
 * {@link ProtocolSession#receivedWithoutBlocking}; a worker thread drains everything else (open,
 * input, timers, stop, end) one event at a time. Reading is suspended while the queue is large,
 * so a fast client cannot fill the heap.
 */
final class MinaConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(MinaConnection.class);
    private static final int CHUNK = 64 * 1024;
    /** Where a streamed reply is read before the part read is copied out (a short message is not a 64 KiB array). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[CHUNK]);
    static final int SUSPEND_ABOVE = 256 * 1024;
    static final int RESUME_BELOW = 64 * 1024;
    /** An input queue array larger than this is let go once empty (idle connections stay small). */
    private static final int KEEP_ARRAY = 8 * 1024;
    /**
     * A connection cut off by a deadline is dropped this long after its last line was queued,
     * whether or not the client read it: a client that stopped reading cannot hold the slot.
     */
    static final Duration CUT_OFF_GRACE = Duration.ofSeconds(5);
    /**
     * Output queued for a client beyond this many octets holds its further input back until the
     * queue is below {@link #OUTPUT_RESUME_BELOW} (ADR 0034): a client that sends commands and
     * never reads the replies cannot make the server buffer them without bound. Above the two
     * chunks a stream keeps queued, so a download running at full speed never pauses.
     */
    static final int OUTPUT_PAUSE_ABOVE = 256 * 1024;
    static final int OUTPUT_RESUME_BELOW = 64 * 1024;

    private final IoSession session;
    private final ProtocolSession protocol;
    private final MinaListener listener;
    private final Executor workers;
    private final ScheduledExecutorService timers;
    private final String id;
    private final Object lock = new Object();
    private final ArrayDeque<Runnable> control = new ArrayDeque<>();
    private final Duration preAuthDeadline;
    /** How fast the client takes queued output (ADR 0034); under the lock. */
    private final MinimumRate outputRate;
    private long outputWritten;
    private boolean cutForSlowOutput;
    /** Queued output passed {@link #OUTPUT_PAUSE_ABOVE}: no input is handed to the session until it drains. */
    private volatile boolean outputBacklogged;
    /** Backlogs ended so far, so that a worker's view taken before one ends does not look stuck. Under the lock. */
    private long outputResumes;

    // guarded by lock
    private boolean scheduled;
    private boolean paused;
    private boolean awaitingTls;
    private boolean closing;
    private boolean ended;
    private boolean started;
    private boolean readSuspended;
    private boolean secure;
    private ProtocolSession.EndReason endReason;
    /** The input queue: octets {@code [inStart, inEnd)} of {@code in}. */
    private byte[] in;
    private int inStart;
    private int inEnd;
    /** Whether a worker holds a view of {@code in}: the array is then never written below {@code inEnd}. */
    private boolean viewOut;
    /** That view, and where it started: what the session consumed of it is not yet taken off the queue. */
    private ByteBuffer view;
    private int viewFrom;
    /** Counts queue clears, so a consumption report about a cleared queue is ignored. */
    private int generation;
    /** Counts appends, to tell whether input arrived while the session had a view. */
    private long appends;
    /** The session left the queued input unconsumed and nothing changed since: it waits for more. */
    private boolean waitingForInput;

    /** The pre-authentication deadline's timer, until it fired or {@link #preAuthEnded} cancelled it. */
    private volatile ScheduledFuture<?> preAuthTimer;
    /** Set by the session's own callbacks ({@link #preAuthEnded}), read by the deadline task on the same executor. */
    private volatile boolean preAuthOver;

    /** The I/O thread while it runs session code itself, else null. */
    private volatile Thread handlingHere;
    private volatile Object tlsTrigger;

    /** Fault injection: octets still to send, or to receive, before the connection is dropped; negative when unarmed. */
    private final AtomicLong sendBudget = new AtomicLong(-1);
    private final AtomicLong receiveBudget = new AtomicLong(-1);
    private volatile boolean failTls;

    MinaConnection(IoSession session, ProtocolSession protocol, MinaListener.Config config, Executor workers,
                   ScheduledExecutorService timers, MinaListener listener) {
        this.session = session;
        this.protocol = protocol;
        this.listener = listener;
        this.workers = workers;
        this.timers = timers;
        this.id = config.name() + "-" + Long.toString(session.getId(), 36);
        this.secure = config.implicitTls();
        this.preAuthDeadline = config.limits().deadlines().preAuth();
        Deadlines d = config.limits().deadlines();
        this.outputRate = new MinimumRate(d.minDataRate(), d.dataRateGrace());
    }

    // ------------------------------------------------------------ events from the I/O thread

    void opened() {
        synchronized (lock) {
            started = true;
        }
        if (!preAuthDeadline.isZero()) {
            try {
                preAuthTimer = timers.schedule(this::preAuthPassed, preAuthDeadline.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // the listener is stopping: the session ends anyway
            }
        }
        if (protocol.startsWithoutBlocking() && enterHere()) {
            try {
                protocol.started(this);
            } catch (RuntimeException | Error e) {
                failed(e);
            } finally {
                leaveHere();
            }
            return;
        }
        enqueue(() -> protocol.started(this));
    }

    void received(IoBuffer buffer) {
        if (receiveBudget.get() >= 0 && !withinBudget(receiveBudget, buffer)) {
            LOG.debug("{}: dropped after the octets a fault allowed to be received", id);
            session.closeNow();
            return;
        }
        boolean here;
        synchronized (lock) {
            if (closing || ended) {
                return;
            }
            if (awaitingTls && !session.isSecured()) {
                LOG.info("{}: discarding {} octets sent before the TLS handshake", id, buffer.remaining());
                return;
            }
            here = !scheduled && !paused && !awaitingTls && !outputBacklogged && control.isEmpty() && inStart == inEnd;
            if (here) {
                scheduled = true; // no worker starts meanwhile
                handlingHere = Thread.currentThread();
            } else {
                append(buffer.buf());
            }
        }
        if (!here) {
            signal();
            return;
        }
        ByteBuffer input = buffer.buf();
        try {
            protocol.receivedWithoutBlocking(input);
        } catch (RuntimeException | Error e) {
            failed(e);
        } finally {
            handlingHere = null;
        }
        boolean work;
        synchronized (lock) {
            scheduled = false;
            if (input.hasRemaining() && !closing && !ended && !awaitingTls) {
                append(input); // the read buffer is MINA's: what is left is copied
            }
            work = !control.isEmpty() || inStart < inEnd;
        }
        if (work) {
            signal();
        }
    }

    /** Appends to the input queue; suspends reading past the high-water mark. Under the lock. */
    private void append(ByteBuffer data) {
        int n = data.remaining();
        if (n == 0) {
            return;
        }
        waitingForInput = false;
        appends++;
        int queued = inEnd - inStart;
        if (in == null || inEnd + n > in.length) {
            if (!viewOut && in != null && queued + n <= in.length) {
                System.arraycopy(in, inStart, in, 0, queued); // compact in place
            } else {
                byte[] grown = new byte[Math.max(queued + n, Math.min(Math.max(2 * (queued + n), 4096),
                        queued + n + CHUNK))];
                if (queued > 0) {
                    System.arraycopy(in, inStart, grown, 0, queued);
                }
                in = grown; // a worker's view keeps the old array, which nobody writes any more
            }
            inStart = 0;
            inEnd = queued;
        }
        data.get(in, inEnd, n);
        inEnd += n;
        if (!readSuspended && inEnd - inStart > SUSPEND_ABOVE) {
            readSuspended = true;
            session.suspendRead();
        }
    }

    /** Forgets queued input (under the lock). */
    private void clearInput() {
        inStart = inEnd = 0;
        generation++;
        if (!viewOut && in != null && in.length > KEEP_ARRAY) {
            in = null;
        }
    }

    private void resumeIfDrained() {
        if (readSuspended && inEnd - inStart < RESUME_BELOW) {
            readSuspended = false;
            resumeRead();
        }
    }

    /** After every write: past the high-water mark, input waits until the client has read (ADR 0034). */
    private void checkBacklog() {
        if (session.getScheduledWriteBytes() <= OUTPUT_PAUSE_ABOVE) {
            return;
        }
        synchronized (lock) {
            if (!outputBacklogged && !ended) {
                // Input is no longer handed to the session; once its queue passes SUSPEND_ABOVE the
                // I/O thread stops reading, as for a busy session. Reads are not suspended from here:
                // MINA sets the interest ops from the calling thread, and off the I/O thread a write
                // interest was lost beside its own updates (output then stalled for tens of seconds).
                outputBacklogged = true;
            }
        }
        // the queue may have drained (and its last messageSent passed) between the two reads
        resumeIfOutputDrained();
    }

    /**
     * Ends a backlog once the queue is below the low-water mark. Called after every sent message
     * and after a backlog begins: the flag is set before the queue is read again, and the I/O
     * thread lowers the queue before it reads the flag, so one of the two sees the other.
     */
    private void resumeIfOutputDrained() {
        if (!outputBacklogged || session.getScheduledWriteBytes() >= OUTPUT_RESUME_BELOW) {
            return;
        }
        synchronized (lock) {
            if (!outputBacklogged) {
                return;
            }
            outputBacklogged = false;
            outputResumes++;
            waitingForInput = false; // what was held back is offered again
        }
        signal();
    }

    /**
     * MINA only changes the interest set on resume; a processor blocked in select() would notice
     * after its one-second select timeout. Asking it to flush the (usually empty) write queue
     * wakes it up at once (ADR 0007).
     */
    @SuppressWarnings("unchecked")
    private void resumeRead() {
        session.resumeRead();
        if (session instanceof AbstractIoSession s) {
            ((IoProcessor<AbstractIoSession>) s.getProcessor()).flush(s);
        }
    }

    void sent(Object message) {
        if (message != null && message == tlsTrigger) {
            // on the I/O thread, right after the plaintext reply left and before any further read
            tlsTrigger = null;
            session.getFilterChain().addFirst(MinaListener.TLS_FILTER, listener.newSslFilter());
        }
        resumeIfOutputDrained();
    }

    /**
     * On the listener's timer, about once a second: while output waits for the client, it must
     * take it at the content rate floor of {@link Deadlines} (after its grace), or the connection
     * is cut. A client that reads one octet at a time, or nothing, would otherwise hold its slot,
     * a worker in {@link #writeStream} and (POP3) its maildrop lock for as long as it liked;
     * a close that waits for the queue to flush would never complete (ADR 0034).
     */
    void checkOutputRate() {
        long pending = session.getScheduledWriteBytes();
        long written = session.getWrittenBytes();
        synchronized (lock) {
            if (ended) {
                return;
            }
            if (pending <= 0) {
                outputRate.stop();
                return;
            }
            if (!outputRate.running()) {
                outputRate.start();
                outputWritten = written;
                return;
            }
            outputRate.received(written - outputWritten);
            outputWritten = written;
            if (!outputRate.tooSlow() || cutForSlowOutput) {
                return;
            }
            cutForSlowOutput = true;
            endReason = ProtocolSession.EndReason.TIMEOUT;
        }
        LOG.info("{}: the client takes its replies too slowly ({} octets waiting); closing", id, pending);
        session.closeNow();
    }

    void secured() {
        boolean notify;
        synchronized (lock) {
            secure = true;
            notify = awaitingTls;
            if (awaitingTls) {
                awaitingTls = false;
                control.addLast(protocol::tlsStarted);
            }
        }
        if (notify) {
            signal();
        }
    }

    void idle() {
        synchronized (lock) {
            // a session busy on its worker, or a client held back by back-pressure, waits for us
            if (closing || ended || scheduled || readSuspended) {
                return;
            }
            endReason = ProtocolSession.EndReason.TIMEOUT;
        }
        enqueue(() -> {
            protocol.idle();
            close();
        });
    }

    /** On the timer thread: the pre-authentication deadline passed; the session says its last line, then it ends. */
    private void preAuthPassed() {
        synchronized (lock) {
            if (closing || ended) {
                return;
            }
        }
        enqueue(() -> {
            synchronized (lock) {
                if (preAuthOver || closing || ended) {
                    return; // the session logged in meanwhile, or is closing by itself
                }
                endReason = ProtocolSession.EndReason.TIMEOUT;
            }
            LOG.info("{}: pre-authentication deadline of {} passed", id, preAuthDeadline);
            protocol.preAuthTimedOut();
            close();
            try {
                timers.schedule(session::closeNow, CUT_OFF_GRACE.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                session.closeNow();
            }
        });
    }

    /** The listener is stopping: the session decides how soon it ends. */
    void stopping(boolean graceOver) {
        synchronized (lock) {
            if (endReason == null) {
                endReason = ProtocolSession.EndReason.SHUTDOWN;
            }
            if (!started) {
                closing = true;
                session.closeNow();
                return;
            }
        }
        enqueue(() -> protocol.stopping(this, graceOver));
    }

    /** The MINA session is gone (called once, whichever way it went). */
    void closed() {
        Runnable end;
        synchronized (lock) {
            if (ended) {
                return;
            }
            ended = true;
            cancelPreAuthTimer();
            ProtocolSession.EndReason reason = endReason != null ? endReason
                    : closing ? ProtocolSession.EndReason.CLOSED_BY_SERVER : ProtocolSession.EndReason.DROPPED;
            clearInput();
            control.clear();
            if (!started) {
                return;
            }
            end = () -> protocol.ended(reason);
            if (cutForSlowOutput) {
                control.addLast(protocol::outputTooSlow);
            }
            control.addLast(end);
            paused = false;
        }
        if (protocol.endsWithoutBlocking() && enterHere()) {
            try {
                synchronized (lock) {
                    control.remove(end);
                }
                end.run();
            } catch (RuntimeException | Error e) {
                LOG.error("{}: session end failed", id, e);
            } finally {
                leaveHere();
            }
            return;
        }
        signal();
    }

    // ------------------------------------------------------------ the ordered executor

    /** Takes the executor for this I/O thread when nothing of the session waits or runs. */
    private boolean enterHere() {
        synchronized (lock) {
            if (scheduled || paused || !control.isEmpty()) {
                return false;
            }
            scheduled = true;
            handlingHere = Thread.currentThread();
            return true;
        }
    }

    private void leaveHere() {
        handlingHere = null;
        boolean work;
        synchronized (lock) {
            scheduled = false;
            work = !control.isEmpty() || (inStart < inEnd && !waitingForInput);
        }
        if (work) {
            signal();
        }
    }

    private void enqueue(Runnable task) {
        synchronized (lock) {
            if (ended) {
                return;
            }
            control.addLast(task);
        }
        signal();
    }

    private void signal() {
        synchronized (lock) {
            if (scheduled || paused) {
                return;
            }
            scheduled = true;
        }
        try {
            workers.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (lock) {
                scheduled = false;
            }
            session.closeNow();
        }
    }

    private void drain() {
        for (;;) {
            Runnable task;
            ByteBuffer view = null;
            int viewGeneration = 0;
            long viewAppends = 0;
            long viewResumes = 0;
            synchronized (lock) {
                if (paused) {
                    scheduled = false;
                    return;
                }
                task = control.pollFirst();
                if (task == null && !closing && !ended && !awaitingTls && !outputBacklogged && inStart < inEnd
                        && !waitingForInput) {
                    view = ByteBuffer.wrap(in, inStart, inEnd - inStart);
                    viewOut = true;
                    this.view = view;
                    this.viewFrom = view.position();
                    viewGeneration = generation;
                    viewAppends = appends;
                    viewResumes = outputResumes;
                }
                resumeIfDrained();
                if (task == null && view == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                if (task != null) {
                    task.run();
                    synchronized (lock) {
                        waitingForInput = false; // the session's state changed: offer the input again
                    }
                } else {
                    int from = view.position();
                    try {
                        protocol.received(view);
                    } finally {
                        synchronized (lock) {
                            viewOut = false;
                            this.view = null;
                            if (generation == viewGeneration) {
                                inStart += view.position() - from;
                                // left unconsumed, and nothing new came: the session waits for more
                                waitingForInput = view.hasRemaining() && appends == viewAppends
                                        && outputResumes == viewResumes;
                                if (inStart == inEnd) {
                                    clearInput();
                                }
                            }
                        }
                    }
                }
            } catch (RuntimeException | Error e) {
                failed(e);
            }
        }
    }

    private void failed(Throwable e) {
        LOG.error("{}: session failed", id, e);
        abort();
    }

    // ------------------------------------------------------------ Connection

    @Override
    public String id() {
        return id;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) session.getRemoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) session.getLocalAddress();
    }

    @Override
    public boolean isSecure() {
        synchronized (lock) {
            return secure;
        }
    }

    @Override
    public Optional<TlsInfo> tls() {
        if (session.getAttribute(SslFilter.SSL_SECURED) instanceof SSLSession s) {
            return Optional.of(new TlsInfo(s.getProtocol(), s.getCipherSuite()));
        }
        return Optional.empty();
    }

    @Override
    public boolean canStartTls() {
        synchronized (lock) {
            return !secure && !awaitingTls && listener.canStartTls();
        }
    }

    @Override
    public void write(byte[] data) {
        send(IoBuffer.wrap(data));
    }

    /** Every write goes here: a fault may cut the output after a number of octets. */
    private WriteFuture send(IoBuffer b) {
        if (sendBudget.get() < 0 || withinBudget(sendBudget, b)) {
            WriteFuture f = session.write(b);
            checkBacklog();
            return f;
        }
        LOG.debug("{}: dropped after the octets a fault allowed to be sent", id);
        WriteFuture f = session.write(b);
        session.closeOnFlush();
        return f;
    }

    /**
     * Takes {@code b}'s octets from {@code budget}; when they do not all fit, limits {@code b} to
     * what does and returns false (the connection is to be dropped after it).
     */
    private static boolean withinBudget(AtomicLong budget, IoBuffer b) {
        for (;;) {
            long left = budget.get();
            if (left < 0) {
                return true;
            }
            long n = b.remaining();
            if (n < left || (n == left && n > 0)) {
                if (budget.compareAndSet(left, left - n)) {
                    return true;
                }
            } else if (budget.compareAndSet(left, 0)) {
                b.limit(b.position() + (int) left);
                return false;
            }
        }
    }

    @Override
    public void disconnectAfterSent(long octets) {
        sendBudget.set(octets);
    }

    @Override
    public void disconnectAfterReceived(long octets) {
        receiveBudget.set(octets);
    }

    @Override
    public void failTls() {
        failTls = true;
    }

    @Override
    public boolean outputBacklogged() {
        return outputBacklogged;
    }


    @Override
    public void writeStream(byte[] head, InputStream content) throws IOException {
        try (InputStream stream = content) {
            WriteFuture previous = null;
            int headLength = head.length;
            if (headLength > CHUNK / 2) {
                previous = send(IoBuffer.wrap(head));
                headLength = 0;
            }
            byte[] scratch = SCRATCH.get();
            for (;;) {
                System.arraycopy(head, 0, scratch, 0, headLength);
                int n = headLength + Math.max(0, stream.readNBytes(scratch, headLength, CHUNK - headLength));
                headLength = 0;
                if (n <= 0) {
                    break;
                }
                // the write queue keeps the array until it is sent: a copy of exactly what was read
                IoBuffer b = IoBuffer.wrap(Arrays.copyOf(scratch, n));
                if (previous != null && handlingHere != Thread.currentThread()) {
                    await(previous); // on the I/O thread the content is in memory: queue it all
                }
                previous = send(b);
                if (n < CHUNK) {
                    break;
                }
            }
        }
    }

    private void await(WriteFuture f) throws IOException {
        while (!f.awaitUninterruptibly(1000)) {
            if (!session.isConnected()) {
                throw new IOException("connection closed while sending");
            }
        }
        if (!f.isWritten()) {
            throw new IOException("connection closed while sending", f.getException());
        }
    }

    @Override
    public void startTls(String reply) {
        IoBuffer b = IoBuffer.wrap((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
        synchronized (lock) {
            if (secure || awaitingTls || !listener.canStartTls()) {
                throw new IllegalStateException("TLS cannot start on this connection");
            }
            awaitingTls = true;
            // the upgrade command itself is in the session's view, consumed: not counted as dropped
            int dropped = inEnd - inStart - (view != null ? view.position() - viewFrom : 0);
            if (dropped > 0) {
                LOG.info("{}: discarding {} octets pipelined after the TLS upgrade command", id, dropped);
            }
            clearInput();
        }
        if (failTls) {
            failTls = false;
            session.write(b);
            session.closeOnFlush(); // the client starts its handshake and finds the connection gone
            return;
        }
        tlsTrigger = b;
        session.write(b);
    }

    @Override
    public void after(Duration delay, Runnable then) {
        if (delay.isZero() || delay.isNegative()) {
            then.run();
            return;
        }
        synchronized (lock) {
            paused = true;
        }
        timers.schedule(() -> {
            synchronized (lock) {
                if (ended) {
                    return;
                }
                paused = false;
                control.addFirst(then);
            }
            signal();
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void execute(Runnable task) {
        enqueue(task);
    }

    @Override
    public void preAuthEnded() {
        if (preAuthOver) {
            return;
        }
        preAuthOver = true;
        cancelPreAuthTimer();
    }

    private void cancelPreAuthTimer() {
        ScheduledFuture<?> timer = preAuthTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closing = true;
        }
        session.closeOnFlush();
    }

    @Override
    public void abort() {
        synchronized (lock) {
            closing = true;
        }
        session.closeNow();
    }

    @Override
    public String toString() {
        return id;
    }
}
