package dev.mailwright.smtp.transport;

import dev.mailwright.protocol.limit.ConnectionLimiter;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.smtp.SmtpReply;
import dev.mailwright.smtp.SmtpSettings;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import dev.mailwright.protocol.tls.TlsConfig;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.IoProcessor;
import org.apache.mina.core.session.AbstractIoSession;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds MINA events to {@link SmtpSession}s. Every event of a connection runs on that
 * connection's {@link SerialExecutor}, in arrival order, off the I/O threads (a store commit
 * or a password hash may block); only what {@link SmtpSession#receiveWithoutBlocking} takes
 * (EHLO, MAIL, DATA, QUIT and the like, which never block) is answered on the I/O thread that
 * read it, when nothing of the session waits or runs on a worker. Reads are suspended while
 * more than {@link #HIGH_WATER} octets wait for the session, so a fast client cannot fill the heap.
 */
final class SmtpIoHandler extends IoHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SmtpIoHandler.class);
    private static final AttributeKey STATE = new AttributeKey(SmtpIoHandler.class, "state");
    private static final AttributeKey CLIENT = new AttributeKey(SmtpIoHandler.class, "client");
    static final long HIGH_WATER = 256 * 1024;
    static final long LOW_WATER = 64 * 1024;

    private final SmtpSettings settings;
    private final Map<String, SmtpCommand> commands;
    private final SmtpPolicy policy;
    private final MessageSink.Factory sinks;
    private final Authenticator authenticator;
    private final TlsConfig tls;
    private final Executor pool;
    private final Clock clock;
    private final ConnectionLimiter connections;
    private final ProtocolMetrics metrics;
    private final Set<IoSession> open = ConcurrentHashMap.newKeySet();
    /** Ends the holds of {@link SerialExecutor#hold} (a failed login's reply): one thread, never a sleeping worker. */
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "smtp-timer");
        t.setDaemon(true);
        return t;
    });

    SmtpIoHandler(SmtpSettings settings, Map<String, SmtpCommand> commands, SmtpPolicy policy,
                  MessageSink.Factory sinks, Authenticator authenticator, TlsConfig tls, Executor pool,
                  Clock clock, ProtocolMetrics metrics) {
        this.metrics = metrics;
        this.settings = settings;
        this.commands = commands;
        this.policy = policy;
        this.sinks = sinks;
        this.authenticator = authenticator;
        this.tls = tls;
        this.pool = pool;
        this.clock = clock;
        this.connections = new ConnectionLimiter(settings.maxConnections(), settings.maxConnectionsPerIp());
    }

    static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.7.0", "Too many connections, try again later");

    private static final class State {
        final SmtpSession session;
        final SerialExecutor executor;
        private long pending;
        private boolean suspended;

        /**
         * Counts octets handed to the session and suspends reads past the high-water mark. The
         * suspend happens under the same lock as the resume in {@link #consumed}: were it done
         * after returning, a worker could drain and resume in between, and the late suspend
         * would then stop the connection for good.
         */
        synchronized void queued(long octets, IoSession io) {
            pending += octets;
            if (pending > HIGH_WATER && !suspended) {
                suspended = true;
                io.suspendRead();
            }
        }

        /** Counts octets the session took and resumes reads below the low-water mark. */
        synchronized void consumed(long octets, IoSession io) {
            pending -= octets;
            if (pending < LOW_WATER && suspended) {
                suspended = false;
                resumeRead(io);
            }
        }

        synchronized boolean suspended() {
            return suspended;
        }

        State(SmtpSession session, SerialExecutor executor) {
            this.session = session;
            this.executor = executor;
        }
    }

    @Override
    public void sessionOpened(IoSession io) {
        InetAddress client = ((InetSocketAddress) io.getRemoteAddress()).getAddress();
        if (!connections.tryAcquire(client)) {
            io.write(IoBuffer.wrap(TOO_MANY_CONNECTIONS.format().getBytes(StandardCharsets.US_ASCII)));
            io.closeOnFlush();
            return;
        }
        io.setAttribute(CLIENT, client);
        boolean implicitTls = settings.mode() == SmtpSettings.Mode.SUBMISSIONS;
        SerialExecutor executor = new SerialExecutor(pool, timer);
        SmtpSession session = new SmtpSession(settings, new MinaSessionChannel(io, implicitTls ? null : tls, executor),
                commands, policy, sinks, authenticator, clock, metrics);
        State state = new State(session, executor);
        io.setAttribute(STATE, state);
        open.add(io);
        io.getConfig().setIdleTime(IdleStatus.READER_IDLE, (int) Math.max(1, settings.idleTimeout().toSeconds()));
        runHereIfIdle(state, session::startsWithoutBlocking, () -> session.start(implicitTls));
    }

    /**
     * Runs {@code task} on this I/O thread when nothing of the session waits or runs on a worker
     * and {@code cannotBlock} (asked then) agrees; otherwise on the session's worker.
     */
    private static void runHereIfIdle(State state, BooleanSupplier cannotBlock, Runnable task) {
        if (!state.executor.tryEnter()) {
            state.executor.execute(task);
            return;
        }
        try {
            if (cannotBlock.getAsBoolean()) {
                task.run();
            } else {
                state.executor.execute(task);
            }
        } finally {
            state.executor.leave();
        }
    }

    @Override
    public void messageReceived(IoSession io, Object message) {
        State state = (State) io.getAttribute(STATE);
        boolean decrypted = message instanceof StartTlsFilter.Decrypted;
        IoBuffer in = decrypted ? ((StartTlsFilter.Decrypted) message).buffer() : (IoBuffer) message;
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        if (!state.executor.tryEnter()) {
            handOff(state, io, decrypted, bytes);
            return;
        }
        // the session is idle: commands that cannot block are answered here, the rest goes to a worker
        try {
            if (decrypted) {
                state.session.tlsStarted(); // no-op unless this is the first octet after STARTTLS
            }
            int taken = state.session.receiveWithoutBlocking(bytes, 0, bytes.length);
            if (taken < bytes.length) {
                handOff(state, io, false, taken == 0 ? bytes : Arrays.copyOfRange(bytes, taken, bytes.length));
            }
        } finally {
            state.executor.leave();
        }
    }

    private static void handOff(State state, IoSession io, boolean decrypted, byte[] bytes) {
        state.queued(bytes.length, io);
        state.executor.execute(() -> {
            try {
                if (decrypted) {
                    state.session.tlsStarted(); // no-op unless this is the first octet after STARTTLS
                }
                state.session.receive(bytes, 0, bytes.length);
            } finally {
                state.consumed(bytes.length, io);
            }
        });
    }

    /**
     * MINA only changes the interest set on resume; a processor blocked in select() would notice
     * after its one-second select timeout. Asking it to flush the (usually empty) write queue
     * wakes it up at once.
     */
    @SuppressWarnings("unchecked")
    private static void resumeRead(IoSession io) {
        io.resumeRead();
        if (io instanceof AbstractIoSession s) {
            ((IoProcessor<AbstractIoSession>) s.getProcessor()).flush(s);
        }
    }

    @Override
    public void sessionIdle(IoSession io, IdleStatus status) {
        State state = (State) io.getAttribute(STATE);
        if (state != null && !state.suspended()) {
            state.executor.execute(state.session::timeout);
        }
    }

    @Override
    public void sessionClosed(IoSession io) {
        open.remove(io);
        Object client = io.getAttribute(CLIENT);
        if (client != null) {
            connections.release((InetAddress) client);
        }
        State state = (State) io.getAttribute(STATE);
        if (state != null) {
            runHereIfIdle(state, state.session::endsWithoutBlocking, state.session::disconnected);
        }
    }

    @Override
    public void exceptionCaught(IoSession io, Throwable cause) {
        State state = (State) io.getAttribute(STATE);
        log.info("smtp {} connection error: {}", state == null ? "-" : state.session.sessionId(), cause.toString());
        io.closeNow();
    }

    /**
     * Ends every session for a server stop: idle sessions get {@code 421} at once, sessions with
     * a transaction in progress may finish it within {@code grace}, then whatever is left is
     * dropped with {@code 421} (an unfinished message is never stored). Returns when every
     * connection is closed, or shortly after the grace period.
     */
    void shutdown(Duration grace) {
        forEachSession(SmtpSession::drain);
        long deadline = System.nanoTime() + grace.toNanos();
        awaitClosed(deadline);
        if (!open.isEmpty()) {
            log.info("smtp shutdown: dropping {} session(s) still open after {}", open.size(), grace);
            forEachSession(SmtpSession::abort);
            awaitClosed(System.nanoTime() + Duration.ofSeconds(2).toNanos());
        }
        for (IoSession io : open) {
            io.closeNow();
        }
        timer.shutdownNow();
    }

    private void forEachSession(java.util.function.Consumer<SmtpSession> action) {
        for (IoSession io : open) {
            State state = (State) io.getAttribute(STATE);
            if (state != null) {
                state.executor.execute(() -> action.accept(state.session));
            }
        }
    }

    private void awaitClosed(long deadline) {
        while (!open.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // MINA has no "all sessions closed" event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
