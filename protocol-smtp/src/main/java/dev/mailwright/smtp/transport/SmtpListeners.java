package dev.mailwright.smtp.transport;

import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.ProtocolSessionFactory;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.protocol.transport.MinaListener;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.command.SmtpCommands;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.session.SmtpDispatcher;
import dev.mailwright.smtp.session.SmtpSession;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;

/** Makes an SMTP listener (MX, submission or submissions) on protocol-core's transport. */
public final class SmtpListeners {

    static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.7.0", "Too many connections, try again later");

    private SmtpListeners() {
    }

    /**
     * @param tls the server's TLS material; required for submissions, optional otherwise (no STARTTLS then)
     */
    public static Listener create(SmtpSettings settings, InetSocketAddress bind, SmtpPolicy policy,
                                  MessageSink.Factory sinks, Authenticator authenticator, Optional<TlsConfig> tls,
                                  Clock clock, ProtocolMetrics metrics) {
        return create(settings, bind, policy, sinks, authenticator, tls, clock, metrics, FaultHook.NONE);
    }

    /** The same, with faults injected into its sessions (tests only). */
    public static Listener create(SmtpSettings settings, InetSocketAddress bind, SmtpPolicy policy,
                                  MessageSink.Factory sinks, Authenticator authenticator, Optional<TlsConfig> tls,
                                  Clock clock, ProtocolMetrics metrics, FaultHook faults) {
        boolean implicitTls = settings.mode() == SmtpSettings.Mode.SUBMISSIONS;
        if (implicitTls && tls.isEmpty()) {
            throw new IllegalArgumentException("the submissions listener (implicit TLS) needs TLS material");
        }
        SmtpDispatcher dispatcher = new SmtpDispatcher(SmtpCommands.forListener(settings), metrics);
        String name = switch (settings.mode()) {
            case MX -> "smtp";
            case SUBMISSION -> "submission";
            case SUBMISSIONS -> "submissions";
        };
        String busy = TOO_MANY_CONNECTIONS.format().stripTrailing();
        return new MinaListener(new MinaListener.Config(name, bind, settings.limits(), tls, implicitTls,
                settings.shutdownGrace()), new ProtocolSessionFactory() {
                    @Override
                    public ProtocolSession newSession() {
                        return new SmtpSession(settings, dispatcher, policy, sinks, authenticator, clock, metrics, faults);
                    }

                    @Override
                    public FaultHook faults() {
                        return faults;
                    }

                    @Override
                    public String busyReply() {
                        return busy;
                    }
                });
    }
}
