package dev.mailwright.protocol.transport;

import dev.mailwright.protocol.codec.Line;
import dev.mailwright.protocol.codec.LineDecoder;
import dev.mailwright.protocol.session.Connection;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.RawReceiver;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.future.WriteFuture;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: the bridge between a MINA session and a {@link ProtocolSession}, and the
 * session's ordered executor. The I/O thread appends received octets to the decoder and, while
 * nothing of the session waits or runs on a worker, handles the lines the session
 * {@linkplain ProtocolSession#handlesWithoutBlocking handles without blocking} itself; a worker
 * thread drains everything else (open, other lines, raw data, timers, end) one at a time.
 */
final class MinaConnection implements Connection {

    private static final Logger LOG = LoggerFactory.getLogger(MinaConnection.class);
    private static final int CHUNK = 64 * 1024;
    /** Where a streamed reply is read before the part read is copied out (a short message is not a 64 KiB array). */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[CHUNK]);
    private static final long SUSPEND_ABOVE = 1024 * 1024;
    private static final long RESUME_BELOW = 256 * 1024;

    private final IoSession session;
    private final ProtocolSession protocol;
    private final MinaListener listener;
    private final Executor workers;
    private final ScheduledExecutorService timers;
    private final String id;
    private final LineDecoder decoder;
    private final Object lock = new Object();
    private final ArrayDeque<Runnable> control = new ArrayDeque<>();

    // guarded by lock
    private boolean scheduled;
    private boolean paused;
    private boolean awaitingTls;
    private boolean closing;
    private boolean closed;
    private boolean readSuspended;
    private boolean secure;
    private RawReceiver raw;
    private ProtocolSession.EndReason endReason;
    /** A line decoded on the I/O thread that the worker handles next. */
    private Line pendingLine;

    /** The I/O thread while it handles lines itself, else null. */
    private volatile Thread handlingHere;

    private volatile Object tlsTrigger;

    MinaConnection(IoSession session, ProtocolSession protocol, MinaListener.Config config, Executor workers,
                   ScheduledExecutorService timers, MinaListener listener) {
        this.session = session;
        this.protocol = protocol;
        this.listener = listener;
        this.workers = workers;
        this.timers = timers;
        this.id = config.name() + "-" + Long.toString(session.getId(), 36);
        this.decoder = new LineDecoder(config.limits().maxLineLength());
        this.secure = config.implicitTls();
    }

    // ------------------------------------------------------------ events from the I/O thread

    void opened() {
        enqueue(() -> protocol.started(this));
    }

    void received(IoBuffer buffer) {
        int n = buffer.remaining();
        byte[] bytes = new byte[n];
        buffer.get(bytes);
        synchronized (lock) {
            if (closing || closed) {
                return;
            }
            if (awaitingTls && !session.isSecured()) {
                LOG.info("{}: discarding {} octets sent before the TLS handshake", id, n);
                return;
            }
            decoder.feed(bytes);
            if (!readSuspended && decoder.buffered() > SUSPEND_ABOVE) {
                readSuspended = true;
                session.suspendRead();
            }
        }
        handleHereOrSignal();
    }

    /**
     * While the session is otherwise idle, handles on this I/O thread the lines it handles
     * without blocking; the first other line, and everything after it, goes to the worker.
     */
    private void handleHereOrSignal() {
        boolean here;
        synchronized (lock) {
            // otherwise the worker has it, or will when the pause or the handshake ends
            here = !(scheduled || paused || closing || closed || awaitingTls || raw != null || pendingLine != null
                    || !control.isEmpty());
            if (here) {
                scheduled = true; // no worker starts meanwhile
                handlingHere = Thread.currentThread();
            }
        }
        if (!here) {
            signal();
            return;
        }
        try {
            for (;;) {
                Line line;
                synchronized (lock) {
                    if (paused || closing || closed || awaitingTls || raw != null || !control.isEmpty()) {
                        break;
                    }
                    line = decoder.next();
                    if (line == null) {
                        break;
                    }
                }
                if (!protocol.handlesWithoutBlocking(line)) {
                    synchronized (lock) {
                        pendingLine = line;
                    }
                    break;
                }
                protocol.line(line);
            }
        } catch (RuntimeException | Error e) {
            LOG.error("{}: session failed", id, e);
            abort();
        } finally {
            handlingHere = null;
        }
        boolean work;
        synchronized (lock) {
            scheduled = false;
            if (readSuspended && decoder.buffered() < RESUME_BELOW) {
                readSuspended = false;
                session.resumeRead();
            }
            work = pendingLine != null || !control.isEmpty() || (raw != null && decoder.buffered() > 0);
        }
        if (work) {
            signal();
        }
    }

    void sent(Object message) {
        if (message != null && message == tlsTrigger) {
            // on the I/O thread, right after the plaintext reply left and before any further read
            tlsTrigger = null;
            session.getFilterChain().addFirst("tls", listener.newSslFilter());
        }
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
            if (closing || closed) {
                return;
            }
            endReason = ProtocolSession.EndReason.TIMEOUT;
        }
        enqueue(() -> {
            protocol.idle();
            close();
        });
    }

    void shutdown() {
        synchronized (lock) {
            if (endReason == null) {
                endReason = ProtocolSession.EndReason.SHUTDOWN;
            }
            closing = true;
        }
        session.closeNow();
    }

    void closed() {
        synchronized (lock) {
            closed = true;
            ProtocolSession.EndReason reason = endReason != null ? endReason
                    : closing ? ProtocolSession.EndReason.CLOSED_BY_SERVER : ProtocolSession.EndReason.DROPPED;
            decoder.clear();
            pendingLine = null;
            control.clear();
            control.addLast(() -> protocol.ended(reason));
        }
        signal();
    }

    // ------------------------------------------------------------ the ordered executor

    private void enqueue(Runnable task) {
        synchronized (lock) {
            if (closed) {
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
        } catch (java.util.concurrent.RejectedExecutionException e) {
            synchronized (lock) {
                scheduled = false;
            }
            session.closeNow();
        }
    }

    private void drain() {
        for (;;) {
            Runnable task;
            Line line = null;
            ByteBuffer data = null;
            RawReceiver receiver = null;
            synchronized (lock) {
                if (paused) {
                    scheduled = false;
                    return;
                }
                task = control.pollFirst();
                if (task == null && !closing && !closed && !awaitingTls) {
                    if (pendingLine != null) {
                        line = pendingLine;
                        pendingLine = null;
                    } else if (raw != null) {
                        receiver = raw;
                        data = decoder.takeRaw();
                    } else {
                        line = decoder.next();
                    }
                }
                if (readSuspended && decoder.buffered() < RESUME_BELOW) {
                    readSuspended = false;
                    session.resumeRead();
                }
                if (task == null && line == null && data == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                if (task != null) {
                    task.run();
                } else if (line != null) {
                    protocol.line(line);
                } else {
                    boolean done = receiver.onData(data);
                    synchronized (lock) {
                        if (done) {
                            if (raw == receiver) {
                                raw = null;
                            }
                            decoder.unread(data);
                        } else if (data.hasRemaining()) {
                            decoder.unread(data);
                            if (!decoder.hasMoreThan(data.remaining())) {
                                // wait for more input before offering it again
                                scheduled = false;
                                return;
                            }
                        }
                    }
                }
            } catch (RuntimeException | Error e) {
                LOG.error("{}: session failed", id, e);
                abort();
            }
        }
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
    public boolean canStartTls() {
        synchronized (lock) {
            return !secure && !awaitingTls && listener.canStartTls();
        }
    }

    @Override
    public void write(byte[] data) {
        session.write(IoBuffer.wrap(data));
    }

    @Override
    public void writeLine(String line) {
        write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void writeStream(InputStream content) throws IOException {
        writeStream(new byte[0], content);
    }

    @Override
    public void writeStream(byte[] head, InputStream content) throws IOException {
        try (InputStream in = content) {
            WriteFuture previous = null;
            int headLength = head.length;
            if (headLength > CHUNK / 2) {
                previous = session.write(IoBuffer.wrap(head));
                headLength = 0;
            }
            byte[] scratch = SCRATCH.get();
            for (;;) {
                System.arraycopy(head, 0, scratch, 0, headLength);
                int n = headLength + Math.max(0, in.readNBytes(scratch, headLength, CHUNK - headLength));
                headLength = 0;
                if (n <= 0) {
                    break;
                }
                // the write queue keeps the array until it is sent: a copy of exactly what was read
                IoBuffer b = IoBuffer.wrap(java.util.Arrays.copyOf(scratch, n));
                if (previous != null && handlingHere != Thread.currentThread()) {
                    await(previous); // on the I/O thread the content is in memory: queue it all
                }
                previous = session.write(b);
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
            int dropped = (int) decoder.buffered();
            if (dropped > 0) {
                LOG.info("{}: discarding {} octets pipelined after the TLS upgrade command", id, dropped);
            }
            decoder.clear();
            pendingLine = null;
            raw = null;
        }
        tlsTrigger = b;
        session.write(b);
    }

    @Override
    public void readRaw(RawReceiver receiver) {
        synchronized (lock) {
            raw = receiver;
        }
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
                paused = false;
                control.addFirst(then);
            }
            signal();
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
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
