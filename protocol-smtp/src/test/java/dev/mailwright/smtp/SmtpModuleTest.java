package dev.mailwright.smtp;

import dev.mailwright.smtp.api.SmtpSettings;
import static org.assertj.core.api.Assertions.assertThat;

import dagger.BindsInstance;
import dagger.Component;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.smtp.testing.TestTls;
import dev.mailwright.store.MailStore;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmtpModuleTest {

    @Component(modules = SmtpModule.class)
    interface TestServer {
        Set<Listener> listeners();

        @Component.Factory
        interface Factory {
            TestServer create(@BindsInstance SmtpModule.Config config, @BindsInstance MailStore store,
                              @BindsInstance dev.mailwright.protocol.Authenticator logins, @BindsInstance TlsConfig tls, @BindsInstance ProtocolMetrics metrics,
                              @BindsInstance AuthThrottle throttle,
                              @BindsInstance Optional<dev.mailwright.protocol.srs.SenderRewriting> srs);
        }
    }

    @Test
    void moduleShouldContributeTheThreeListenersThatAcceptMail() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        SmtpModule.Config config = new SmtpModule.Config("mx.example.org", Optional.of(any), Optional.of(any),
                Optional.of(any), SmtpSettings.builder().build(), 1);
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
            public void messageAccepted(String protocol, long bytes, int recipients, Duration commit) {
                events.add(protocol + " accepted " + recipients);
            }
        };
        MailStore store = SessionHarness.fixtureStore();
        Set<Listener> listeners = DaggerSmtpModuleTest_TestServer.factory()
                .create(config, store, dev.mailwright.protocol.Authenticator.of(store.accounts()), TestTls.server(),
                        metrics, AuthThrottle.standard(), Optional.empty())
                .listeners();
        assertThat(listeners).extracting(Listener::name).containsExactlyInAnyOrder("smtp", "submission", "submissions");
        for (Listener l : listeners) {
            l.start();
        }
        try {
            Listener mx = listeners.stream().filter(l -> l.name().equals("smtp")).findFirst().orElseThrow();
            try (RawClient c = new RawClient(mx.port())) {
                assertThat(c.reply()).isEqualTo("220 mx.example.org ESMTP Mailwright");
                c.write("EHLO client.example\r\n");
                assertThat(c.reply()).contains("250-STARTTLS");
                c.write("MAIL FROM:<someone@elsewhere.test>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n");
                assertThat(c.replies(3)).endsWith("354 End data with <CR><LF>.<CR><LF>\n");
                c.write("Subject: counted\r\n\r\nbody\r\n.\r\n");
                assertThat(c.reply()).startsWith("250 2.0.0");
            }
            // the module hands the component's metrics to its sessions
            assertThat(events).containsSubsequence("smtp open", "smtp EHLO ok", "smtp MAIL ok", "smtp RCPT ok",
                    "smtp DATA ok", "smtp accepted 1");
            try (RawClient c = new RawClient(mx.port())) {
                assertThat(c.reply()).isEqualTo("220 mx.example.org ESMTP Mailwright");
                c.write("EHLO client.example\r\n");
                assertThat(c.reply()).contains("250-STARTTLS");
                c.write("MAIL FROM:<someone@elsewhere.test>\r\n");
                assertThat(c.reply()).as("the rate is 1 message a minute")
                        .isEqualTo("450 4.7.1 Message rate limit exceeded, try again later");
            }
        } finally {
            listeners.forEach(Listener::stop);
        }
    }

    @Test
    void mxHooksShouldBeAskedOnTheMxListenerOnly() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        dev.mailwright.smtp.policy.SmtpPolicy refuseAll = new dev.mailwright.smtp.policy.SmtpPolicy() {
            @Override
            public dev.mailwright.smtp.policy.PolicyResult connect(dev.mailwright.smtp.api.SessionInfo session) {
                return dev.mailwright.smtp.policy.PolicyResult.reject(
                        dev.mailwright.smtp.api.SmtpReply.of(554, "5.7.1", "Service unavailable"));
            }
        };
        SmtpModule.Config config = new SmtpModule.Config("mx.example.org", Optional.of(any), Optional.of(any),
                Optional.empty(), SmtpSettings.builder().build(), 0, List.of(refuseAll));
        MailStore store = SessionHarness.fixtureStore();
        Set<Listener> listeners = DaggerSmtpModuleTest_TestServer.factory()
                .create(config, store, dev.mailwright.protocol.Authenticator.of(store.accounts()), TestTls.server(),
                        ProtocolMetrics.NONE, AuthThrottle.standard(), Optional.empty())
                .listeners();
        listeners.forEach(l -> {
            try {
                l.start();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try {
            for (Listener l : listeners) {
                try (RawClient c = new RawClient(l.port())) {
                    assertThat(c.reply()).as(l.name()).isEqualTo(l.name().equals("smtp")
                            ? "554 5.7.1 Service unavailable" : "220 mx.example.org ESMTP Mailwright");
                }
            }
        } finally {
            listeners.forEach(Listener::stop);
        }
    }
}
