package dev.mailwright.smtp.transport;

import dev.mailwright.smtp.SmtpSettings;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.session.SmtpCommand;
import dev.mailwright.smtp.session.SmtpSession;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import dev.mailwright.protocol.tls.TlsConfig;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.service.IoHandlerAdapter;
import org.apache.mina.core.session.AttributeKey;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds MINA events to {@link SmtpSession}s. Every event of a connection runs on that
 * connection's {@link SerialExecutor}, in arrival order, off the I/O threads (a store commit
 * or a password hash may block). Reads are suspended while more than {@link #HIGH_WATER}
 * octets wait for the session, so a fast client cannot fill the heap.
 */
final class SmtpIoHandler extends IoHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SmtpIoHandler.class);
    private static final AttributeKey STATE = new AttributeKey(SmtpIoHandler.class, "state");
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

    SmtpIoHandler(SmtpSettings settings, Map<String, SmtpCommand> commands, SmtpPolicy policy,
                  MessageSink.Factory sinks, Authenticator authenticator, TlsConfig tls, Executor pool,
                  Clock clock) {
        this.settings = settings;
        this.commands = commands;
        this.policy = policy;
        this.sinks = sinks;
        this.authenticator = authenticator;
        this.tls = tls;
        this.pool = pool;
        this.clock = clock;
    }

    private static final class State {
        final SmtpSession session;
        final SerialExecutor executor;
        final AtomicLong pending = new AtomicLong();
        volatile boolean suspended;

        State(SmtpSession session, SerialExecutor executor) {
            this.session = session;
            this.executor = executor;
        }
    }

    @Override
    public void sessionOpened(IoSession io) {
        boolean implicitTls = settings.mode() == SmtpSettings.Mode.SUBMISSIONS;
        SmtpSession session = new SmtpSession(settings, new MinaSessionChannel(io, implicitTls ? null : tls),
                commands, policy, sinks, authenticator, clock);
        State state = new State(session, new SerialExecutor(pool));
        io.setAttribute(STATE, state);
        io.getConfig().setIdleTime(IdleStatus.READER_IDLE, (int) Math.max(1, settings.idleTimeout().toSeconds()));
        state.executor.execute(() -> session.start(implicitTls));
    }

    @Override
    public void messageReceived(IoSession io, Object message) {
        State state = (State) io.getAttribute(STATE);
        boolean decrypted = message instanceof StartTlsFilter.Decrypted;
        IoBuffer in = decrypted ? ((StartTlsFilter.Decrypted) message).buffer() : (IoBuffer) message;
        byte[] bytes = new byte[in.remaining()];
        in.get(bytes);
        if (state.pending.addAndGet(bytes.length) > HIGH_WATER && !state.suspended) {
            state.suspended = true;
            io.suspendRead();
        }
        state.executor.execute(() -> {
            try {
                if (decrypted) {
                    state.session.tlsStarted(); // no-op unless this is the first octet after STARTTLS
                }
                state.session.receive(bytes, 0, bytes.length);
            } finally {
                if (state.pending.addAndGet(-bytes.length) < LOW_WATER && state.suspended) {
                    state.suspended = false;
                    io.resumeRead();
                }
            }
        });
    }

    @Override
    public void sessionIdle(IoSession io, IdleStatus status) {
        State state = (State) io.getAttribute(STATE);
        if (state != null && !state.suspended) {
            state.executor.execute(state.session::timeout);
        }
    }

    @Override
    public void sessionClosed(IoSession io) {
        State state = (State) io.getAttribute(STATE);
        if (state != null) {
            state.executor.execute(state.session::disconnected);
        }
    }

    @Override
    public void exceptionCaught(IoSession io, Throwable cause) {
        State state = (State) io.getAttribute(STATE);
        log.info("smtp {} connection error: {}", state == null ? "-" : state.session.sessionId(), cause.toString());
        io.closeNow();
    }
}
