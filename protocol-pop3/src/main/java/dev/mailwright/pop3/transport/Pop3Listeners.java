package dev.mailwright.pop3.transport;

import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.pop3.command.Pop3Commands;
import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.pop3.session.Pop3Dispatcher;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.ProtocolSessionFactory;
import dev.mailwright.protocol.transport.MinaListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Makes the POP3 (and POP3S) listeners for a context. */
public final class Pop3Listeners {

    private Pop3Listeners() {
    }

    public static List<Listener> create(Pop3Context context) {
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
        if (s.port() >= 0) {
            listeners.add(new MinaListener(new MinaListener.Config("pop3", new InetSocketAddress(s.bindAddress(), s.port()),
                    s.limits(), s.tls(), false, s.shutdownGrace()), factory));
        }
        if (s.securePort().isPresent()) {
            listeners.add(new MinaListener(new MinaListener.Config("pop3s",
                    new InetSocketAddress(s.secureBindAddress(), s.securePort().getAsInt()), s.limits(), s.tls(), true,
                    s.shutdownGrace()),
                    factory));
        }
        return List.copyOf(listeners);
    }
}
