package dev.mailwright.pop3;

import dev.mailwright.pop3.session.Pop3Settings;
import dagger.Module;
import dagger.Provides;
import dagger.multibindings.ElementsIntoSet;
import dev.mailwright.pop3.transport.Pop3Listeners;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.store.MailStore;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Contributes the POP3 listeners (POP3, and POP3S when configured) to the server's set of
 * listeners. The component provides a {@link Config}, {@link MailStore}, the {@link Authenticator}
 * of logins (usually {@code Authenticator.of(store.accounts())}), the server's {@link TlsConfig},
 * {@link ProtocolMetrics} ({@link ProtocolMetrics#NONE} when nothing is measured) and the
 * {@link AuthThrottle} every listener of the server shares; the server starts and stops every
 * {@link Listener} in the set.
 */
@Module
public final class Pop3Module {

    private Pop3Module() {
    }

    /**
     * Where the POP3 listeners listen, as {@code SmtpModule.Config} says it for SMTP; an empty
     * address turns that listener off (port 0 picks a free port).
     *
     * @param pop3     plain POP3 with STLS (110)
     * @param pop3s    POP3S, implicit TLS (995)
     * @param settings how the sessions behave
     */
    public record Config(Optional<InetSocketAddress> pop3, Optional<InetSocketAddress> pop3s, Pop3Settings settings) {
    }

    @Provides
    @ElementsIntoSet
    static Set<Listener> pop3Listeners(Config config, MailStore store, Authenticator authenticator, TlsConfig tls,
                                       ProtocolMetrics metrics, AuthThrottle throttle) {
        Pop3Settings settings = config.settings();
        Pop3Context context = new Pop3Context(store, authenticator, settings,
                throttle, Clock.systemUTC(), Pop3Server.randomTimestamps(settings.hostname()),
                Pop3Server.nodeName(), metrics);
        return new LinkedHashSet<>(Pop3Listeners.create(context, config.pop3(), config.pop3s(), Optional.of(tls)));
    }
}
