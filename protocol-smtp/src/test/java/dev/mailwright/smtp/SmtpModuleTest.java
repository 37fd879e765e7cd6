package dev.mailwright.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dagger.BindsInstance;
import dagger.Component;
import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.smtp.testing.TestTls;
import dev.mailwright.store.MailStore;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmtpModuleTest {

    @Component(modules = SmtpModule.class)
    interface TestServer {
        Set<Listener> listeners();

        @Component.Factory
        interface Factory {
            TestServer create(@BindsInstance SmtpModule.Config config, @BindsInstance MailStore store,
                              @BindsInstance TlsConfig tls);
        }
    }

    @Test
    void moduleShouldContributeTheThreeListenersThatAcceptMail() throws Exception {
        SmtpModule.Config config = new SmtpModule.Config("mx.example.org", InetAddress.getLoopbackAddress(), 0, 0, 0,
                SmtpSettings.builder().build(), 2, 0);
        Set<Listener> listeners = DaggerSmtpModuleTest_TestServer.factory()
                .create(config, SessionHarness.fixtureStore(), TestTls.server()).listeners();
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
            }
            try (RawClient c = new RawClient(mx.port()); RawClient over = new RawClient(mx.port())) {
                assertThat(List.of(c.reply(), over.reply())).as("the rate is 2 connections a minute")
                        .containsExactlyInAnyOrder("220 mx.example.org ESMTP Mailwright",
                                "421 4.7.0 Too many connections from your address, try again later");
            }
        } finally {
            listeners.forEach(Listener::stop);
        }
    }
}
