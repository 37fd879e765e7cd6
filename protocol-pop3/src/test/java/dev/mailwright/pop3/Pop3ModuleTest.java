package dev.mailwright.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import dagger.BindsInstance;
import dagger.Component;
import dev.mailwright.pop3.support.RawClient;
import dev.mailwright.pop3.support.TestMail;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.store.MailStore;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class Pop3ModuleTest {

    /** The shape of the server's root component, reduced to what POP3 needs. */
    @Component(modules = Pop3Module.class)
    interface TestComponent {
        Set<Listener> listeners();

        @Component.Factory
        interface Factory {
            TestComponent create(@BindsInstance MailStore store, @BindsInstance Pop3Settings settings);
        }
    }

    @Test
    @Timeout(60)
    void moduleShouldContributePop3AndPop3sListenersThatServe() throws Exception {
        TestMail mail = new TestMail();
        Pop3Settings d = Pop3Settings.DEFAULT;
        Pop3Settings settings = new Pop3Settings(d.hostname(), "127.0.0.1", 0, OptionalInt.of(0),
                Optional.of(SelfSignedCertificate.generate("localhost").tlsConfig()), false, false, false,
                Optional.empty(), d.loginDelay(), d.lease(), d.limits(), d.maxAuthFailures());
        Set<Listener> listeners = DaggerPop3ModuleTest_TestComponent.factory().create(mail.store(), settings).listeners();
        assertThat(listeners).extracting(Listener::name).containsExactlyInAnyOrder("pop3", "pop3s");
        for (Listener l : listeners) {
            l.start();
        }
        try {
            Listener plain = listeners.stream().filter(l -> l.name().equals("pop3")).findFirst().orElseThrow();
            try (RawClient c = new RawClient(plain.port())) {
                assertThat(c.readLine()).isEqualTo("+OK Mailwright POP3 server ready");
                assertThat(c.command("QUIT")).startsWith("+OK");
            }
        } finally {
            listeners.forEach(Listener::stop);
        }
    }
}
