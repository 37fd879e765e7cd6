package dev.mailwright.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.Listener;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.store.Address;
import dev.mailwright.store.memory.InMemoryMailStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration reaches the listeners the server wires: one throttle shared by all of them
 * ({@code limits.auth-failure-delay}, {@code limits.auth-max-failures}), {@code smtp.postmaster}
 * and {@code auth.default-domain}.
 */
@Timeout(60)
class ListenerWiringTest {

    @TempDir
    Path dataDir;

    @Test
    void failuresOnPop3ShouldGetTheAddressRefusedOnSubmissions() throws Exception {
        Map<String, String> env = env("MAILWRIGHT_POP3_PLAINTEXT_WITHOUT_TLS", "true",
                "MAILWRIGHT_LIMITS_AUTH_FAILURE_DELAY", "20ms", "MAILWRIGHT_LIMITS_AUTH_MAX_FAILURES", "3");
        ServerConfig config = ConfigLoader.load(Optional.empty(), env);
        InMemoryMailStore store = new InMemoryMailStore();
        store.domains().add("example.org");
        store.accounts().add(Address.parse("alice@example.org"), "alice-password".toCharArray());
        Set<Listener> listeners = started(config, store);
        try {
            for (int i = 0; i < 3; i++) {
                try (Line pop3 = new Line(plain(port(listeners, "pop3")))) {
                    assertThat(pop3.read()).startsWith("+OK");
                    assertThat(pop3.command("USER alice@example.org")).startsWith("+OK");
                    assertThat(pop3.command("PASS guess" + i)).isEqualTo("-ERR [AUTH] invalid user name or password");
                }
            }
            try (Line smtp = new Line(implicitTls(port(listeners, "submissions")))) {
                assertThat(smtp.read()).startsWith("220 ");
                smtp.command("EHLO client.example");
                String plain = Base64.getEncoder().encodeToString("\0alice@example.org\0alice-password"
                        .getBytes(StandardCharsets.UTF_8));
                assertThat(smtp.command("AUTH PLAIN " + plain))
                        .isEqualTo("454 4.7.0 Too many failed authentications, try again later");
            }
        } finally {
            listeners.forEach(Listener::stop);
        }
    }

    @Test
    void theConfiguredPostmasterGetsMailForPostmasterOfEveryHostedDomain() throws Exception {
        Map<String, String> env = env("MAILWRIGHT_SMTP_POSTMASTER", "admin@example.org");
        InMemoryMailStore store = new InMemoryMailStore();
        store.domains().add("example.org");
        store.domains().add("other.example");
        Address admin = Address.parse("admin@example.org");
        store.accounts().add(admin, "admin-password".toCharArray());
        Set<Listener> listeners = started(ConfigLoader.load(Optional.empty(), env), store);
        try (Line smtp = new Line(plain(port(listeners, "smtp")))) {
            assertThat(smtp.read()).startsWith("220 ");
            smtp.command("EHLO client.example");
            assertThat(smtp.command("MAIL FROM:<reporter@elsewhere.test>")).startsWith("250 ");
            assertThat(smtp.command("RCPT TO:<postmaster@other.example>")).startsWith("250 ");
            assertThat(smtp.command("DATA")).startsWith("354 ");
            assertThat(smtp.command("Subject: abuse report\r\n\r\nhello\r\n.")).startsWith("250 ");
        } finally {
            listeners.forEach(Listener::stop);
        }
        long id = store.accounts().get(admin).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", java.time.Duration.ofSeconds(5))) {
            assertThat(drop.messages()).hasSize(1);
        }
    }

    @Test
    void withADefaultDomainUsersLogInWithBareNamesOnPop3AndSmtp() throws Exception {
        Map<String, String> env = env("MAILWRIGHT_POP3_PLAINTEXT_WITHOUT_TLS", "true",
                "MAILWRIGHT_AUTH_DEFAULT_DOMAIN", "Example.org");
        InMemoryMailStore store = new InMemoryMailStore();
        store.domains().add("example.org");
        store.accounts().add(Address.parse("ann@example.org"), "ann-password".toCharArray());
        Set<Listener> listeners = started(ConfigLoader.load(Optional.empty(), env), store);
        try {
            try (Line pop3 = new Line(plain(port(listeners, "pop3")))) {
                assertThat(pop3.read()).startsWith("+OK");
                assertThat(pop3.command("USER ann")).startsWith("+OK");
                assertThat(pop3.command("PASS ann-password")).startsWith("+OK ann's maildrop has 0 messages");
            }
            try (Line smtp = new Line(implicitTls(port(listeners, "submissions")))) {
                assertThat(smtp.read()).startsWith("220 ");
                smtp.command("EHLO client.example");
                String plain = Base64.getEncoder().encodeToString("\0ann\0ann-password".getBytes(StandardCharsets.UTF_8));
                assertThat(smtp.command("AUTH PLAIN " + plain)).startsWith("235 ");
            }
        } finally {
            listeners.forEach(Listener::stop);
        }
    }

    /**
     * Issue 23: the MX adds Authentication-Results with the configured authserv-id (the DNS here
     * knows nothing of the sender: temperror or none, and the message is accepted), and drops a
     * forged one; mail from a stranger with a From of a hosted domain is refused.
     */
    @Test
    void theMxShouldAuthenticateMailAndSayWhatItFoundWithItsAuthservId() throws Exception {
        Map<String, String> env = env("MAILWRIGHT_MAIL_AUTH_AUTHSERV_ID", "auth.example.org");
        InMemoryMailStore store = new InMemoryMailStore();
        store.domains().add("example.org");
        Address ann = Address.parse("ann@example.org");
        store.accounts().add(ann, "ann-password".toCharArray());
        Set<Listener> listeners = started(ConfigLoader.load(Optional.empty(), env), store);
        try (Line smtp = new Line(plain(port(listeners, "smtp")))) {
            assertThat(smtp.read()).startsWith("220 ");
            smtp.command("EHLO client.elsewhere.test");
            assertThat(smtp.command("MAIL FROM:<someone@elsewhere.test>")).startsWith("250 ");
            assertThat(smtp.command("RCPT TO:<ann@example.org>")).startsWith("250 ");
            assertThat(smtp.command("DATA")).startsWith("354 ");
            assertThat(smtp.command("Authentication-Results: auth.example.org; dmarc=pass\r\n"
                    + "From: someone@elsewhere.test\r\nSubject: hi\r\n\r\nhello\r\n.")).startsWith("250 ");
            assertThat(smtp.command("MAIL FROM:<someone@elsewhere.test>")).startsWith("250 ");
            assertThat(smtp.command("RCPT TO:<ann@example.org>")).startsWith("250 ");
            assertThat(smtp.command("DATA")).startsWith("354 ");
            assertThat(smtp.command("From: boss@example.org\r\nSubject: wire money\r\n\r\nnow\r\n."))
                    .startsWith("550 5.7.1 Message rejected: example.org is hosted here");
        } finally {
            listeners.forEach(Listener::stop);
        }
        long id = store.accounts().get(ann).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", java.time.Duration.ofSeconds(5))) {
            assertThat(drop.messages()).hasSize(1);
            String stored = new String(drop.open(drop.messages().get(0).uid()).readAllBytes(), StandardCharsets.UTF_8);
            assertThat(stored).containsPattern("Authentication-Results: auth\\.example\\.org;\r\n\tspf=(none|temperror)")
                    .contains("dmarc=").doesNotContain("dmarc=pass");
        }
    }

    /** The configuration of a server with every listener on a free port, plus {@code more} (key, value, ...). */
    private Map<String, String> env(String... more) {
        Map<String, String> env = new HashMap<>();
        for (String l : ServerConfig.LISTENER_NAMES) {
            env.put(ConfigLoader.envName("listeners." + l + ".port"), "0");
        }
        env.put("MAILWRIGHT_HOME", dataDir.toString());
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** The listeners the server wires for {@code config} over {@code store}, started. */
    private static Set<Listener> started(ServerConfig config, InMemoryMailStore store) throws IOException {
        Set<Listener> listeners = DaggerServerComponent.factory().create(config, store,
                SelfSignedCertificate.generate("localhost").tlsConfig(), new SimpleMeterRegistry()).listeners();
        for (Listener l : listeners) {
            l.start();
        }
        return listeners;
    }

    private static int port(Set<Listener> listeners, String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow().boundAddress().getPort();
    }

    private static Socket plain(int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress("127.0.0.9", 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return s;
    }

    private static Socket implicitTls(int port) throws Exception {
        SSLContext trusting = SSLContext.getInstance("TLS");
        trusting.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLSocket s = (SSLSocket) trusting.getSocketFactory().createSocket(plain(port), "localhost", port, true);
        s.startHandshake();
        return s;
    }

    /** Line-at-a-time over a socket; multi-line SMTP replies come back as their last line. */
    private static final class Line implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Line(Socket socket) throws IOException {
            this.socket = socket;
            socket.setSoTimeout(20_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out = socket.getOutputStream();
        }

        String read() throws IOException {
            String line = in.readLine();
            while (line != null && line.length() > 3 && line.charAt(3) == '-') {
                line = in.readLine();
            }
            return line;
        }

        String command(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return read();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
