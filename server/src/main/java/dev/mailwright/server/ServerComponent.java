package dev.mailwright.server;

import dagger.BindsInstance;
import dagger.Component;
import dev.mailwright.outbound.OutboundWorker;
import dev.mailwright.pop3.Pop3Module;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.smtp.SmtpModule;
import dev.mailwright.store.MailStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.Set;
import javax.inject.Singleton;

/**
 * The root component of the all-in-one server. Configuration, the store, TLS and the meter
 * registry come in as instances; each protocol module contributes its listeners
 * ({@code @IntoSet}); {@link ServerModule} turns the server configuration into each
 * protocol's settings.
 */
@Singleton
@Component(modules = {ServerModule.class, Pop3Module.class, SmtpModule.class})
public interface ServerComponent {

    Set<Listener> listeners();

    Set<BackgroundService> backgroundServices();

    /** This node's outbound worker, when outbound delivery is on. */
    Optional<OutboundWorker> outboundWorker();

    @Component.Factory
    interface Factory {
        ServerComponent create(@BindsInstance ServerConfig config, @BindsInstance MailStore store,
                               @BindsInstance TlsConfig tls, @BindsInstance MeterRegistry registry);
    }
}
