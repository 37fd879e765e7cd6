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
import dev.mailwright.pop3.session.Pop3Context;
import dev.mailwright.store.MailStore;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Contributes the POP3 listeners (POP3, and POP3S when configured) to the server's set of
 * listeners. The component provides {@link MailStore}, the {@link Authenticator} of logins
 * (usually {@code Authenticator.of(store.accounts())}), {@link Pop3Settings},
 * {@link ProtocolMetrics} ({@link ProtocolMetrics#NONE} when nothing is measured) and the
 * {@link AuthThrottle} every listener of the server shares; the server starts and stops every
 * {@link Listener} in the set.
 */
@Module
public final class Pop3Module {

    private Pop3Module() {
    }

    @Provides
    @ElementsIntoSet
    static Set<Listener> pop3Listeners(MailStore store, Authenticator authenticator, Pop3Settings settings,
                                       ProtocolMetrics metrics, AuthThrottle throttle) {
        Pop3Context context = new Pop3Context(store, authenticator, settings,
                throttle, Clock.systemUTC(), Pop3Server.randomTimestamps(settings.hostname()),
                Pop3Server.nodeName(), metrics);
        return new LinkedHashSet<>(Pop3Listeners.create(context));
    }
}
