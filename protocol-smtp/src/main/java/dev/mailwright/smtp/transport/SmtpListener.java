package dev.mailwright.smtp.transport;

import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.smtp.SmtpSettings;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.command.SmtpCommands;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.Executor;
import dev.mailwright.protocol.tls.TlsConfig;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;

/** One listening socket (MX, submission or submissions) and its sessions. */
public final class SmtpListener implements Listener {

    private final SmtpSettings settings;
    private final InetSocketAddress bind;
    private final NioSocketAcceptor acceptor;
    private final SmtpIoHandler handler;

    /**
     * Prepares a listener; {@link #start()} binds it.
     *
     * @param tls the server's TLS context; required for submissions, optional otherwise (no STARTTLS then)
     */
    public SmtpListener(SmtpSettings settings, InetSocketAddress bind, SmtpPolicy policy, MessageSink.Factory sinks,
                        Authenticator authenticator, TlsConfig tls, Executor pool, Clock clock) {
        this(settings, bind, policy, sinks, authenticator, tls, pool, clock, ProtocolMetrics.NONE);
    }

    /** As above, reporting sessions, commands, logins and messages to {@code metrics}. */
    public SmtpListener(SmtpSettings settings, InetSocketAddress bind, SmtpPolicy policy, MessageSink.Factory sinks,
                        Authenticator authenticator, TlsConfig tls, Executor pool, Clock clock, ProtocolMetrics metrics) {
        if (settings.mode() == SmtpSettings.Mode.SUBMISSIONS && tls == null) {
            throw new IllegalArgumentException("the submissions listener (implicit TLS) needs TLS material");
        }
        this.settings = settings;
        this.bind = bind;
        this.acceptor = new NioSocketAcceptor(2);
        acceptor.setReuseAddress(true);
        acceptor.setCloseOnDeactivation(false); // stop() ends the sessions itself, gracefully
        if (settings.mode() == SmtpSettings.Mode.SUBMISSIONS) {
            acceptor.getFilterChain().addFirst(MinaSessionChannel.TLS_FILTER, StartTlsFilter.implicit(tls));
        }
        handler = new SmtpIoHandler(settings, SmtpCommands.forListener(settings), policy, sinks, authenticator,
                tls, pool, clock, metrics);
        acceptor.setHandler(handler);
    }

    @Override
    public String name() {
        return switch (settings.mode()) {
            case MX -> "smtp";
            case SUBMISSION -> "submission";
            case SUBMISSIONS -> "submissions";
        };
    }

    @Override
    public void start() throws IOException {
        acceptor.bind(bind);
    }

    @Override
    public InetSocketAddress boundAddress() {
        return acceptor.getLocalAddress();
    }

    public SmtpSettings settings() {
        return settings;
    }

    /**
     * Stops accepting, then ends the open sessions: idle ones at once with {@code 421}, those
     * in a transaction after it ends or after {@link SmtpSettings#shutdownGrace()} (then the
     * transaction is dropped, nothing half-stored). Blocks until done.
     */
    @Override
    public void stop() {
        acceptor.unbind();
        handler.shutdown(settings.shutdownGrace());
        acceptor.dispose(true);
    }
}
