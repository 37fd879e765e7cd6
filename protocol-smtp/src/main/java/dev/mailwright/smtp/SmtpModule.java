package dev.mailwright.smtp;

import dev.mailwright.smtp.api.SmtpSettings;
import dagger.Module;
import dagger.Provides;
import dagger.multibindings.ElementsIntoSet;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.delivery.StoreMessageSink;
import dev.mailwright.smtp.policy.RateLimitPolicy;
import dev.mailwright.smtp.policy.SmtpPolicies;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.smtp.transport.SmtpListeners;
import dev.mailwright.store.MailStore;
import java.net.InetSocketAddress;
import java.time.Clock;
import dev.mailwright.protocol.srs.SenderRewriting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Contributes the SMTP listeners (MX, submission, submissions) to the all-in-one server's
 * {@code Set<Listener>}, delivering into the store. Needs a {@link Config}, the
 * {@link MailStore}, the {@link dev.mailwright.protocol.Authenticator} of logins (usually
 * {@code Authenticator.of(store.accounts())}), the server's {@link TlsConfig}, a {@link ProtocolMetrics} and the
 * {@link AuthThrottle} every listener of the server shares bound in the component, and the
 * {@code Optional<SenderRewriting>} that rewrites the senders of forwarded mail (ADR 0027).
 * Other modules may contribute policy hooks ({@code @IntoSet SmtpPolicy}: greylisting, sending
 * limits, content filtering; ADR 0031), asked after the standard ones on every listener; by
 * default there are none.
 */
@Module
public final class SmtpModule {

    private SmtpModule() {
    }

    /**
     * Where the SMTP listeners listen; an empty address turns that listener off (port 0 picks a free port).
     *
     * @param mx                   the MX listener (port 25 in production)
     * @param submission           the submission listener, STARTTLS (587)
     * @param submissions          the submissions listener, implicit TLS (465)
     * @param settings             limits and behaviour shared by the listeners (their mode is set per listener)
     * @param messagesPerMinute    per client address, 0 for no limit ({@link RateLimitPolicy})
     * @param mxHooks              hooks of the MX listener only, after the standard ones, in order: mail
     *                             authentication and content scanning (ADR 0030); never asked on submission
     */
    public record Config(String hostname, Optional<InetSocketAddress> mx, Optional<InetSocketAddress> submission,
                         Optional<InetSocketAddress> submissions, SmtpSettings settings, int messagesPerMinute,
                         List<SmtpPolicy> mxHooks) {

        public Config {
            mxHooks = List.copyOf(mxHooks);
        }

        /** Without MX-only hooks. */
        public Config(String hostname, Optional<InetSocketAddress> mx, Optional<InetSocketAddress> submission,
                      Optional<InetSocketAddress> submissions, SmtpSettings settings, int messagesPerMinute) {
            this(hostname, mx, submission, submissions, settings, messagesPerMinute, List.of());
        }
    }

    /** No extra policy hooks unless another module contributes some. */
    @Provides
    @ElementsIntoSet
    static Set<SmtpPolicy> noExtraHooks() {
        return Set.of();
    }

    @Provides
    @ElementsIntoSet
    static Set<Listener> smtpListeners(Config config, MailStore store, dev.mailwright.protocol.Authenticator logins,
                                       TlsConfig tls, ProtocolMetrics metrics, AuthThrottle throttle,
                                       Optional<SenderRewriting> srs, Set<SmtpPolicy> hooks) {
        Clock clock = Clock.systemUTC();
        Authenticator auth = Authenticator.of(logins, throttle);
        List<SmtpPolicy> extra = new ArrayList<>();
        if (config.messagesPerMinute() > 0) {
            extra.add(new RateLimitPolicy(0, config.messagesPerMinute(), Duration.ofMinutes(1), clock));
        }
        extra.addAll(hooks);
        Set<Listener> listeners = new LinkedHashSet<>();
        List<Optional<InetSocketAddress>> addresses = List.of(config.mx(), config.submission(), config.submissions());
        SmtpSettings.Mode[] modes = SmtpSettings.Mode.values();
        for (int i = 0; i < modes.length; i++) {
            if (addresses.get(i).isEmpty()) {
                continue;
            }
            SmtpSettings s = config.settings().toBuilder().hostname(config.hostname()).mode(modes[i]).build();
            List<SmtpPolicy> listenerHooks = new ArrayList<>(extra);
            if (modes[i] == SmtpSettings.Mode.MX) {
                listenerHooks.addAll(config.mxHooks());
            }
            listeners.add(SmtpListeners.create(s, addresses.get(i).get(),
                    SmtpPolicies.standard(s, store, srs.map(SenderRewriting::forwardingDomain), listenerHooks),
                    StoreMessageSink.factory(store, clock, s.postmaster(), srs),
                    auth, Optional.of(tls), clock, metrics));
        }
        return listeners;
    }
}
