package dev.mailwright.protocol.transport;

import dev.mailwright.protocol.Limits;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.fault.Fault;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.limit.ConnectionLimiter;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.ProtocolSessionFactory;
import dev.mailwright.protocol.tls.TlsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.service.IoService;
import org.apache.mina.core.service.IoServiceListener;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteToClosedSessionException;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.core.service.SimpleIoProcessorPool;
import org.apache.mina.transport.socket.nio.NioProcessor;
import org.apache.mina.transport.socket.nio.NioSession;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one network transport: a MINA 2.2 TCP listener running one {@link ProtocolSession} per
 * connection, for every protocol. Received octets go to the session's ordered executor (a worker
 * pool), or to the session on the I/O thread for what it handles without blocking.
 *
 * <p>Connection accounting (the total and per-address limits): a slot is taken when MINA creates
 * the session and given back by an {@link IoServiceListener}, which MINA calls for every session
 * it destroys whatever the filter chain did (a failed TLS handshake, a reset, a timeout, a stop).
 */
public final class MinaListener implements Listener {

    private static final Logger LOG = LoggerFactory.getLogger(MinaListener.class);
    private static final AttributeKey CONNECTION = new AttributeKey(MinaListener.class, "connection");
    private static final AttributeKey COUNTED = new AttributeKey(MinaListener.class, "counted");
    private static final AttributeKey FAULTED = new AttributeKey(MinaListener.class, "faulted");
    static final String TLS_FILTER = "tls";
    /** After the grace period and a last call to end, what is left is dropped after this long. */
    private static final Duration LAST_CALL = Duration.ofSeconds(2);
    /** The same with no grace period (tests): sessions get a moment to say goodbye, no more. */
    private static final Duration LAST_CALL_WITHOUT_GRACE = Duration.ofMillis(50);
    /** How long a stop waits for the transport's own threads to end. */
    private static final Duration JOIN = Duration.ofSeconds(2);

    /**
     * @param name        for logs and thread names
     * @param bind        address and port; port 0 picks a free one
     * @param limits      connection and line limits
     * @param tls         TLS material; needed for implicit TLS and for in-band upgrades
     * @param implicitTls whether the handshake starts on connect (POP3S, SMTPS)
     * @param stopGrace   how long a stop lets sessions end by themselves; zero (tests) asks them to
     *                    end at once and drops them shortly after
     */
    public record Config(String name, InetSocketAddress bind, Limits limits, Optional<TlsConfig> tls,
                         boolean implicitTls, Duration stopGrace) {
        public Config {
            if (implicitTls && tls.isEmpty()) {
                throw new IllegalArgumentException("implicit TLS needs TLS material");
            }
        }

        public Config(String name, InetSocketAddress bind, Limits limits, Optional<TlsConfig> tls, boolean implicitTls) {
            this(name, bind, limits, tls, implicitTls, Duration.ofSeconds(5));
        }
    }

    private final Config config;
    private final ProtocolSessionFactory factory;
    private final ConnectionLimiter limiter;
    private volatile NioSocketAcceptor acceptor;
    private volatile InetSocketAddress bound;
    private ExecutorService workers;
    private ScheduledExecutorService timers;
    private ExecutorService ioThreads;
    /** Every thread the pools made that may still run: stop() joins them, not only the pools. */
    private final OwnedThreads threads = new OwnedThreads();
    private SimpleIoProcessorPool<NioSession> processors;
    private volatile boolean stopping;

    public MinaListener(Config config, ProtocolSessionFactory factory) {
        this.config = config;
        this.factory = factory;
        this.limiter = new ConnectionLimiter(config.limits().maxConnections(), config.limits().maxConnectionsPerIp());
    }

    @Override
    public String name() {
        return config.name();
    }

    public Config config() {
        return config;
    }

    @Override
    public synchronized void start() throws IOException {
        if (acceptor != null) {
            throw new IllegalStateException("already started");
        }
        workers = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                threads(config.name() + "-session"));
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, threads(config.name() + "-timer"));
        t.setRemoveOnCancelPolicy(true);
        timers = t;
        // MINA's own threads come from executors of ours: daemon, and joined by stop()
        ioThreads = Executors.newCachedThreadPool(threads(config.name() + "-io"));
        processors = new SimpleIoProcessorPool<>(NioProcessor.class, ioThreads,
                Math.max(1, Runtime.getRuntime().availableProcessors()), null);
        NioSocketAcceptor a = new NioSocketAcceptor(ioThreads, processors);
        a.setReuseAddress(true);
        a.setBacklog(config.limits().backlog());
        a.setCloseOnDeactivation(false);
        if (config.implicitTls()) {
            a.getFilterChain().addFirst(TLS_FILTER, newSslFilter());
        }
        long idle = Math.max(1, (config.limits().idleTimeout().toMillis() + 999) / 1000);
        a.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, (int) Math.min(Integer.MAX_VALUE, idle));
        a.getSessionConfig().setTcpNoDelay(true);
        a.addListener(new Accounting());
        a.setHandler(new Bridge());
        try {
            a.bind(config.bind());
        } catch (IOException | RuntimeException e) {
            a.dispose(false);
            releaseThreads();
            throw e;
        }
        acceptor = a;
        if (config.limits().deadlines().minDataRate() > 0) {
            t.scheduleWithFixedDelay(() -> checkOutputRates(a), 1, 1, TimeUnit.SECONDS);
        }
        bound = a.getLocalAddress();
        LOG.debug("{} listening on {}{}", config.name(), bound, config.implicitTls() ? " (TLS)" : "");
    }

    @Override
    public InetSocketAddress boundAddress() {
        InetSocketAddress b = bound;
        if (b == null) {
            throw new IllegalStateException("not started");
        }
        return b;
    }

    /** Connections counted against the limits now. */
    public int openConnections() {
        return limiter.open();
    }

    /**
     * Stops accepting, then asks every session to end (each decides what that means: SMTP lets a
     * transaction in progress finish), waits up to the grace period, asks what is left once more
     * to end now, and drops whatever remains.
     */
    @Override
    public synchronized void stop() {
        NioSocketAcceptor a = acceptor;
        if (a == null || stopping) {
            return;
        }
        stopping = true;
        a.unbind();
        if (config.stopGrace().isZero()) {
            forEachConnection(a, true);
            awaitClosed(a, LAST_CALL_WITHOUT_GRACE);
        } else {
            forEachConnection(a, false);
            awaitClosed(a, config.stopGrace());
            if (!a.getManagedSessions().isEmpty()) {
                LOG.info("{}: {} session(s) still open after {}, ending them", config.name(),
                        a.getManagedSessions().size(), config.stopGrace());
                forEachConnection(a, true);
                awaitClosed(a, LAST_CALL);
            }
        }
        a.getManagedSessions().values().forEach(IoSession::closeNow);
        a.dispose(true);
        releaseThreads();
        LOG.debug("{} stopped", config.name());
    }

    /** Ends the I/O, session and timer threads, waiting a bounded time for each pool. */
    private void releaseThreads() {
        processors.dispose();
        workers.shutdown();
        timers.shutdownNow();
        ioThreads.shutdown();
        long deadline = System.nanoTime() + JOIN.toNanos();
        try {
            for (ExecutorService pool : new ExecutorService[] {workers, timers, ioThreads}) {
                pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            threads.join(deadline); // stopped from one of its own threads: all but that one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Once a second: connections whose client leaves its output waiting are measured (ADR 0034). */
    private static void checkOutputRates(NioSocketAcceptor a) {
        for (IoSession s : a.getManagedSessions().values()) {
            if (s.getAttribute(CONNECTION) instanceof MinaConnection c) {
                c.checkOutputRate();
            }
        }
    }

    /** Octets queued for sending over all connections now (what slow readers make the server hold). */
    public long queuedOutput() {
        NioSocketAcceptor a = acceptor;
        return a == null ? 0 : a.getManagedSessions().values().stream().mapToLong(IoSession::getScheduledWriteBytes).sum();
    }

    private static void forEachConnection(NioSocketAcceptor a, boolean graceOver) {
        for (IoSession s : a.getManagedSessions().values()) {
            if (s.getAttribute(CONNECTION) instanceof MinaConnection c) {
                c.stopping(graceOver);
            } else {
                s.closeNow();
            }
        }
    }

    private static void awaitClosed(NioSocketAcceptor a, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!a.getManagedSessions().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20); // MINA has no "all sessions closed" event to wait on
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    SslFilter newSslFilter() {
        TlsConfig tls = config.tls().orElseThrow(() -> new IllegalStateException("no TLS material"));
        SslFilter f = new SslFilter(tls.context()) {
            @Override
            protected SSLEngine createEngine(IoSession session, InetSocketAddress peer) {
                // handshake tasks on this listener's I/O thread, never on MINA's static pool (ADR 0035)
                return new InlineTasksEngine(super.createEngine(session, peer));
            }
        };
        f.setEnabledProtocols(tls.protocolArray());
        f.setEnabledCipherSuites(tls.cipherSuiteArray());
        return f;
    }

    /** Whether the fault hook fails the implicit TLS handshake of the connection just accepted. */
    private boolean tlsFails() {
        return factory.faults().at(FaultHook.TLS, "").filter(f -> f instanceof Fault.FailTls
                || f instanceof Fault.Disconnect).isPresent();
    }

    boolean canStartTls() {
        return config.tls().isPresent();
    }

    private ThreadFactory threads(String prefix) {
        return threads.factory(prefix);
    }

    private static InetAddress clientAddress(IoSession s) {
        return ((InetSocketAddress) s.getRemoteAddress()).getAddress();
    }

    /**
     * Gives back the slot of every accepted socket: MINA calls this after the filter chain's
     * close, for every session it managed, whatever the chain did (an {@link SslFilter} whose
     * handshake failed does not always pass the close on to the handler).
     */
    private final class Accounting implements IoServiceListener {
        @Override
        public void sessionDestroyed(IoSession session) {
            if (session.removeAttribute(COUNTED) != null) {
                limiter.release(clientAddress(session));
            }
            if (session.getAttribute(CONNECTION) instanceof MinaConnection c) {
                c.closed();
            }
        }

        @Override
        public void sessionCreated(IoSession session) {
        }

        @Override
        public void serviceActivated(IoService service) {
        }

        @Override
        public void serviceIdle(IoService service, IdleStatus idleStatus) {
        }

        @Override
        public void serviceDeactivated(IoService service) {
        }

        @Override
        public void sessionClosed(IoSession session) {
        }
    }

    private final class Bridge extends IoHandlerAdapter {

        /** Takes a slot (given back by {@link Accounting}); runs before the session is opened. */
        @Override
        public void sessionCreated(IoSession session) {
            if (config.implicitTls() && tlsFails()) {
                session.setAttribute(FAULTED, Boolean.TRUE);
                session.closeNow(); // the client's handshake finds the connection gone
                return;
            }
            if (!stopping && limiter.tryAcquire(clientAddress(session))) {
                session.setAttribute(COUNTED, Boolean.TRUE);
                session.setAttribute(CONNECTION, new MinaConnection(session, factory.newSession(), config, workers,
                        timers, MinaListener.this));
            }
        }

        @Override
        public void sessionOpened(IoSession session) {
            MinaConnection c = connection(session);
            if (c == null && session.containsAttribute(FAULTED)) {
                return;
            }
            if (c == null) {
                LOG.info("{} refused {}: connection limit", config.name(), session.getRemoteAddress());
                session.write(IoBuffer.wrap((factory.busyReply() + "\r\n").getBytes(StandardCharsets.US_ASCII)));
                session.closeOnFlush();
                return;
            }
            c.opened();
        }

        @Override
        public void messageReceived(IoSession session, Object message) {
            MinaConnection c = connection(session);
            if (c != null && message instanceof IoBuffer b) {
                c.received(b);
            }
        }

        @Override
        public void messageSent(IoSession session, Object message) {
            MinaConnection c = connection(session);
            if (c != null) {
                c.sent(message);
            }
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            MinaConnection c = connection(session);
            if (c != null) {
                c.idle();
            } else {
                session.closeNow();
            }
        }

        @Override
        public void event(IoSession session, FilterEvent event) {
            MinaConnection c = connection(session);
            if (c != null && event == SslEvent.SECURED) {
                c.secured();
            }
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            if (cause instanceof WriteToClosedSessionException) {
                // what was still queued when the connection went (a TLS close_notify after QUIT whose
                // client hung up first): nothing went wrong, and nothing is left to do
                session.closeNow();
                return;
            }
            if (cause instanceof IOException || cause instanceof javax.net.ssl.SSLException) {
                LOG.debug("{} connection {}: {}", config.name(), session.getId(), cause.toString());
            } else {
                LOG.warn("{} connection {} failed", config.name(), session.getId(), cause);
            }
            session.closeNow();
        }

        @Override
        public void inputClosed(IoSession session) {
            session.closeNow();
        }

        @Override
        public void sessionClosed(IoSession session) {
            MinaConnection c = connection(session);
            if (c != null) {
                c.closed();
            }
        }

        private MinaConnection connection(IoSession session) {
            return (MinaConnection) session.getAttribute(CONNECTION);
        }
    }
}
