package dev.mailwright.protocol.transport;

import dev.mailwright.protocol.Limits;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.limit.ConnectionLimiter;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.ProtocolSessionFactory;
import dev.mailwright.protocol.tls.TlsConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslEvent;
import org.apache.mina.filter.ssl.SslFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A MINA 2.2 TCP listener running one {@link ProtocolSession} per connection. Received octets
 * are handed to the session's ordered executor (a worker pool, never the I/O threads), which
 * decodes lines and calls the session one event at a time.
 */
public final class MinaListener implements Listener {

    private static final Logger LOG = LoggerFactory.getLogger(MinaListener.class);
    private static final AttributeKey CONNECTION = new AttributeKey(MinaListener.class, "connection");
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    /**
     * @param name        for logs and thread names
     * @param bind        address and port; port 0 picks a free one
     * @param limits      connection and line limits
     * @param tls         TLS material; needed for implicit TLS and for in-band upgrades
     * @param implicitTls whether the handshake starts on connect (POP3S, SMTPS)
     */
    public record Config(String name, InetSocketAddress bind, Limits limits, Optional<TlsConfig> tls,
                         boolean implicitTls) {
        public Config {
            if (implicitTls && tls.isEmpty()) {
                throw new IllegalArgumentException("implicit TLS needs TLS material");
            }
        }
    }

    private final Config config;
    private final ProtocolSessionFactory factory;
    private final ConnectionLimiter limiter;
    private volatile NioSocketAcceptor acceptor;
    private volatile InetSocketAddress bound;
    private ExecutorService workers;
    private ScheduledExecutorService timers;
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
        NioSocketAcceptor a = new NioSocketAcceptor(Math.max(1, Runtime.getRuntime().availableProcessors()));
        a.setReuseAddress(true);
        a.setCloseOnDeactivation(false);
        if (config.implicitTls()) {
            a.getFilterChain().addFirst("tls", newSslFilter());
        }
        long idle = Math.max(1, (config.limits().idleTimeout().toMillis() + 999) / 1000);
        a.getSessionConfig().setIdleTime(IdleStatus.BOTH_IDLE, (int) Math.min(Integer.MAX_VALUE, idle));
        a.getSessionConfig().setTcpNoDelay(true);
        a.setHandler(new Bridge());
        a.bind(config.bind());
        acceptor = a;
        bound = a.getLocalAddress();
        LOG.info("{} listening on {}{}", config.name(), bound, config.implicitTls() ? " (TLS)" : "");
    }

    @Override
    public InetSocketAddress boundAddress() {
        InetSocketAddress b = bound;
        if (b == null) {
            throw new IllegalStateException("not started");
        }
        return b;
    }

    /** Open connections now. */
    public int openConnections() {
        return limiter.open();
    }

    @Override
    public synchronized void stop() {
        NioSocketAcceptor a = acceptor;
        if (a == null || stopping) {
            return;
        }
        stopping = true;
        a.unbind();
        for (IoSession s : a.getManagedSessions().values()) {
            MinaConnection c = (MinaConnection) s.getAttribute(CONNECTION);
            if (c != null) {
                c.shutdown();
            } else {
                s.closeNow();
            }
        }
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        while (!a.getManagedSessions().isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        a.getManagedSessions().values().forEach(IoSession::closeNow);
        a.dispose(true);
        workers.shutdown();
        timers.shutdownNow();
        try {
            workers.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("{} stopped", config.name());
    }

    SslFilter newSslFilter() {
        TlsConfig tls = config.tls().orElseThrow(() -> new IllegalStateException("no TLS material"));
        SslFilter f = new SslFilter(tls.context());
        f.setEnabledProtocols(tls.protocolArray());
        return f;
    }

    boolean canStartTls() {
        return config.tls().isPresent();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static InetAddress clientAddress(IoSession s) {
        return ((InetSocketAddress) s.getRemoteAddress()).getAddress();
    }

    private final class Bridge extends IoHandlerAdapter {
        private static final AttributeKey REJECTED = new AttributeKey(Bridge.class, "rejected");

        @Override
        public void sessionCreated(IoSession session) {
            if (stopping || !limiter.tryAcquire(clientAddress(session))) {
                session.setAttribute(REJECTED, Boolean.TRUE);
                return;
            }
            MinaConnection c = new MinaConnection(session, factory.newSession(), config, workers, timers,
                    MinaListener.this);
            session.setAttribute(CONNECTION, c);
        }

        @Override
        public void sessionOpened(IoSession session) {
            if (session.containsAttribute(REJECTED)) {
                LOG.info("{} refused {}: connection limit", config.name(), session.getRemoteAddress());
                session.write(IoBuffer.wrap((factory.busyReply() + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                session.closeOnFlush();
                return;
            }
            connection(session).opened();
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
            if (cause instanceof IOException) {
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
                limiter.release(clientAddress(session));
                c.closed();
            }
        }

        private MinaConnection connection(IoSession session) {
            return (MinaConnection) session.getAttribute(CONNECTION);
        }
    }
}
