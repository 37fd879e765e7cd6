package dev.mailwright.pop3;

import dev.mailwright.pop3.session.Pop3Settings;
import static org.assertj.core.api.Assertions.assertThat;

import dagger.BindsInstance;
import dagger.Component;
import dev.mailwright.pop3.support.RawClient;
import dev.mailwright.pop3.support.TestMail;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.store.MailStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
            TestComponent create(@BindsInstance MailStore store, @BindsInstance Authenticator authenticator,
                                 @BindsInstance Pop3Module.Config config, @BindsInstance TlsConfig tls,
                                 @BindsInstance ProtocolMetrics metrics, @BindsInstance AuthThrottle throttle);
        }
    }

    @Test
    @Timeout(60)
    void moduleShouldContributePop3AndPop3sListenersThatServe() throws Exception {
        TestMail mail = new TestMail();
        mail.account("alice@example.org", "alice-password");
        mail.deliver("alice@example.org", "Subject: hello\r\n\r\nhello\r\n");
        List<String> events = new CopyOnWriteArrayList<>();
        ProtocolMetrics metrics = new ProtocolMetrics() {
            @Override
            public void connectionOpened(String protocol) {
                events.add(protocol + " open");
            }

            @Override
            public void command(String protocol, String verb, boolean ok) {
                events.add(protocol + " " + verb + " " + (ok ? "ok" : "error"));
            }

            @Override
            public void authentication(String protocol, boolean success) {
                events.add(protocol + " auth " + success);
            }

            @Override
            public void messageRetrieved(String protocol, long bytes) {
                events.add(protocol + " retrieved");
            }

            @Override
            public void connectionClosed(String protocol, Duration duration) {
                events.add(protocol + " closed");
            }
        };
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        Pop3Module.Config config = new Pop3Module.Config(Optional.of(loopback), Optional.of(loopback),
                Pop3Settings.builder().plaintextWithoutTls(true).build());
        Set<Listener> listeners = DaggerPop3ModuleTest_TestComponent.factory().create(mail.store(),
                Authenticator.of(mail.store().accounts()), config,
                SelfSignedCertificate.generate("localhost").tlsConfig(), metrics, AuthThrottle.standard()).listeners();
        assertThat(listeners).extracting(Listener::name).containsExactlyInAnyOrder("pop3", "pop3s");
        for (Listener l : listeners) {
            l.start();
        }
        try {
            Listener plain = listeners.stream().filter(l -> l.name().equals("pop3")).findFirst().orElseThrow();
            try (RawClient c = new RawClient(plain.port())) {
                assertThat(c.readLine()).isEqualTo("+OK Mailwright POP3 server ready");
                assertThat(c.command("USER alice@example.org")).startsWith("+OK");
                assertThat(c.command("PASS wrong")).startsWith("-ERR");
                assertThat(c.command("USER alice@example.org")).startsWith("+OK");
                assertThat(c.command("PASS alice-password")).startsWith("+OK");
                assertThat(c.command("RETR 1")).startsWith("+OK");
                c.readMultiLine();
                assertThat(c.command("XYZZY")).startsWith("-ERR");
                assertThat(c.command("QUIT")).startsWith("+OK");
                assertThat(c.readLine()).isNull();
            }
            // the module hands the component's metrics to its sessions
            await(() -> events.contains("pop3 closed"));
            assertThat(events).containsSubsequence("pop3 open", "pop3 USER ok", "pop3 auth false", "pop3 PASS error",
                    "pop3 auth true", "pop3 PASS ok", "pop3 retrieved", "pop3 RETR ok", "pop3 UNKNOWN error",
                    "pop3 QUIT ok", "pop3 closed");
        } finally {
            listeners.forEach(Listener::stop);
        }
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
            Thread.sleep(20);
        }
    }
}
