package dev.mailwright.pop3.transport;

import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.pop3.command.Pop3Commands;
import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.pop3.session.Pop3Dispatcher;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.ProtocolSessionFactory;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.protocol.transport.MinaListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Makes the POP3 (and POP3S) listeners for a context. */
public final class Pop3Listeners {

    private Pop3Listeners() {
    }

    /**
     * The listeners asked for, plain POP3 first.
     *
     * @param pop3  where plain POP3 (STLS with {@code tls}) listens; empty for none; port 0 picks a free one
     * @param pop3s where POP3S (implicit TLS) listens; empty for none; needs {@code tls}
     */
    public static List<Listener> create(Pop3Context context, Optional<InetSocketAddress> pop3,
                                        Optional<InetSocketAddress> pop3s, Optional<TlsConfig> tls) {
        if (pop3s.isPresent() && tls.isEmpty()) {
            throw new IllegalArgumentException("POP3S needs TLS material");
        }
        Pop3Settings s = context.settings();
        Pop3Dispatcher dispatcher = new Pop3Dispatcher(Pop3Commands.standard(s.last()));
        ProtocolSessionFactory factory = new ProtocolSessionFactory() {
            @Override
            public ProtocolSession newSession() {
                return new Pop3ProtocolSession(context, dispatcher);
            }

            @Override
            public String busyReply() {
                return "-ERR [SYS/TEMP] too many connections, try again later";
            }

            @Override
            public FaultHook faults() {
                return context.faults();
            }
        };
        List<Listener> listeners = new ArrayList<>();
        pop3.ifPresent(a -> listeners.add(new MinaListener(new MinaListener.Config("pop3", a, s.limits(), tls, false,
                s.shutdownGrace()), factory)));
        pop3s.ifPresent(a -> listeners.add(new MinaListener(new MinaListener.Config("pop3s", a, s.limits(), tls, true,
                s.shutdownGrace()), factory)));
        return List.copyOf(listeners);
    }
}
