package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.pop3.session.Pop3Settings;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.tls.TlsConfig;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.test.internal.TestCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The two servers are built one way (ADR 0035): the same builder methods for what both have,
 * free ports by default, the protocol's tuning only through {@code settings(UnaryOperator)},
 * {@code close()}. A builder that grows a method of its own for a shared thing, or a flat setter
 * beside its settings, fails here.
 */
class ServerBuildersTest {

    /** What both builders have, by name and parameter type. */
    private static final Map<String, Class<?>> SHARED = Map.ofEntries(
            Map.entry("store", MailStore.class), Map.entry("authenticator", Authenticator.class),
            Map.entry("hostname", String.class), Map.entry("bind", InetAddress.class), Map.entry("tls", TlsConfig.class),
            Map.entry("shutdownGrace", Duration.class), Map.entry("faults", FaultHook.class),
            Map.entry("metrics", ProtocolMetrics.class), Map.entry("clock", Clock.class),
            Map.entry("authThrottle", AuthThrottle.class), Map.entry("settings", UnaryOperator.class));

    @Test
    void bothBuildersHaveTheSharedMethodsWithTheSameTypes() throws Exception {
        for (Class<?> builder : List.of(SmtpServer.Builder.class, Pop3Server.Builder.class)) {
            for (Map.Entry<String, Class<?>> e : SHARED.entrySet()) {
                assertThat(builder.getMethod(e.getKey(), e.getValue()).getReturnType())
                        .as("%s.%s(%s)", builder.getName(), e.getKey(), e.getValue().getSimpleName()).isEqualTo(builder);
            }
            assertThat(AutoCloseable.class).isAssignableFrom(builder.getMethod("start").getReturnType());
        }
    }

    @Test
    void protocolTuningGoesThroughSettingsOnlyOnBothBuilders() {
        // a builder shares with its settings only the two things a caller sets for the whole server
        assertThat(names(SmtpServer.Builder.class)).filteredOn(names(SmtpSettings.Builder.class)::contains)
                .containsExactlyInAnyOrder("hostname", "shutdownGrace");
        assertThat(names(Pop3Server.Builder.class)).filteredOn(names(Pop3Settings.Builder.class)::contains)
                .containsExactlyInAnyOrder("hostname", "shutdownGrace");
        assertThat(Pop3Settings.DEFAULT.toBuilder().build()).isEqualTo(Pop3Settings.DEFAULT);
    }

    @Test
    void bothServersConfiguredAlikeStartOnFreePortsAndCloseThem() throws Exception {
        MailStore store = new InMemoryMailStore(Clock.systemUTC(), PasswordHashing.forTests());
        store.domains().add("example.test");
        store.accounts().add(Address.parse("ann@example.test"), "ann-password".toCharArray());
        TlsConfig tls = TestCertificate.load().serverTls();
        Authenticator logins = Authenticator.of(store.accounts());
        AuthThrottle throttle = AuthThrottle.disabled(); // one throttle for both, as ADR 0018 asks
        InetAddress loopback = InetAddress.getLoopbackAddress();

        int smtpPort;
        int pop3Port;
        try (SmtpServer smtp = SmtpServer.builder()
                .store(store).authenticator(logins).authThrottle(throttle)
                .hostname("mail.example.test").bind(loopback).tls(tls)
                .shutdownGrace(Duration.ZERO).clock(Clock.systemUTC())
                .settings(s -> s.maxBadCommands(5))
                .start();
             Pop3Server pop3 = Pop3Server.builder()
                .store(store).authenticator(logins).authThrottle(throttle)
                .hostname("mail.example.test").bind(loopback).tls(tls)
                .shutdownGrace(Duration.ZERO).clock(Clock.systemUTC())
                .settings(s -> s.apop(true))
                .start()) {
            smtpPort = smtp.port();
            pop3Port = pop3.port();
            assertThat(smtpPort).isEqualTo(smtp.port(SmtpSettings.Mode.MX)).isPositive();
            assertThat(pop3Port).isPositive().isNotEqualTo(smtpPort);
            assertThat(smtp.listeners()).hasSize(1);
            assertThat(pop3.listeners()).hasSize(1);
            // the hostname reaches both greetings (POP3's in its APOP timestamp)
            assertThat(greeting(smtpPort)).startsWith("220 mail.example.test");
            assertThat(greeting(pop3Port)).startsWith("+OK").endsWith("@mail.example.test>");
            // a listener not asked for is not there, said the same way by both
            assertThatThrownBy(() -> smtp.port(SmtpSettings.Mode.SUBMISSIONS)).isInstanceOf(NoSuchElementException.class);
            assertThatThrownBy(pop3::securePort).isInstanceOf(NoSuchElementException.class);
        }
        assertThat(LifecycleTest.free(smtpPort)).as("SMTP port free after close").isTrue();
        assertThat(LifecycleTest.free(pop3Port)).as("POP3 port free after close").isTrue();
    }

    @Test
    void bothServersTakeTheirImplicitTlsListenerTheSameWay() throws Exception {
        MailStore store = new InMemoryMailStore(Clock.systemUTC(), PasswordHashing.forTests());
        TlsConfig tls = TestCertificate.load().serverTls();
        try (SmtpServer smtp = SmtpServer.builder().store(store).tls(tls).mx(0).submissions(0).start();
             Pop3Server pop3 = Pop3Server.builder().store(store).tls(tls).securePort(0).start()) {
            assertThat(smtp.port(SmtpSettings.Mode.SUBMISSIONS)).isPositive().isNotEqualTo(smtp.port());
            assertThat(pop3.securePort()).isPositive().isNotEqualTo(pop3.port());
        }
        assertThatThrownBy(() -> Pop3Server.builder().store(store).securePort(0).start())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("tls");
    }

    private static Set<String> names(Class<?> builder) {
        return Arrays.stream(builder.getDeclaredMethods()).filter(m -> Modifier.isPublic(m.getModifiers()))
                .filter(m -> m.getReturnType() == builder).map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static String greeting(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(10_000);
            return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
        }
    }
}
