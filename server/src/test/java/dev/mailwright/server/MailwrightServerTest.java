package dev.mailwright.server;

import dev.mailwright.server.config.StartupException;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.protocol.tls.OpportunisticTls;
import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole server in-process on port 0 over PostgreSQL, driven by real clients. */
class MailwrightServerTest {

    @TempDir
    Path dataDir;

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static SSLContext trustAll() throws Exception {
        return OpportunisticTls.clientContext();
    }

    static String fetchFirst(int pop3sPort, String user, String password) throws Exception {
        POP3SClient pop3 = new POP3SClient(true, trustAll());
        pop3.connect("127.0.0.1", pop3sPort);
        try {
            assertThat(pop3.login(user, password)).as("POP3S login").isTrue();
            POP3MessageInfo[] list = pop3.listMessages();
            if (list.length == 0) {
                return null;
            }
            try (Reader r = pop3.retrieveMessage(list[0].number); BufferedReader br = new BufferedReader(r)) {
                StringBuilder sb = new StringBuilder();
                String line;
                while ((line = br.readLine()) != null) {
                    sb.append(line).append("\n");
                }
                return sb.toString();
            }
        } finally {
            pop3.logout();
            pop3.disconnect();
        }
    }

    @Test
    void everyListenerAnswersAndMailSurvivesARestart() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        ServerConfig config = ServerTestSupport.config(dataDir, db);
        try (MailwrightServer server = MailwrightServer.start(config)) {
            Map<String, Integer> ports = server.ports();
            assertThat(ports.keySet()).containsAll(ServerConfig.LISTENER_NAMES);
            for (Map.Entry<String, Integer> p : ports.entrySet()) {
                try (Socket s = new Socket("127.0.0.1", p.getValue())) {
                    assertThat(s.isConnected()).as(p.getKey()).isTrue();
                }
            }
            server.store().domains().add("example.org");
            Account bob = server.store().accounts().add(Address.parse("bob@example.org"), "bob-password-1".toCharArray());
            try (Delivery d = server.store().deliveries().begin(Envelope.of(Optional.empty(), Instant.now()))) {
                d.addLocal(new Resolution.LocalRecipient(bob.id(), bob.address()), 0L);
                d.content().write("Subject: hello\r\n\r\nkept across restarts\r\n".getBytes(UTF_8));
                d.commit();
            }
            assertThat(fetchFirst(ports.get("pop3s"), "bob@example.org", "bob-password-1")).contains("kept across restarts");
            assertThat(get(ports.get("metrics"), "/readyz").statusCode()).isEqualTo(200);
            assertThat(get(ports.get("metrics"), "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(ports.get("metrics"), "/metrics").body()).contains("jvm_memory_used_bytes");
        }
        try (MailwrightServer again = MailwrightServer.start(config)) {
            assertThat(fetchFirst(again.ports().get("pop3s"), "bob@example.org", "bob-password-1"))
                    .contains("kept across restarts");
        }
    }

    @Test
    void eachListenerHasItsOwnAddressAndCanBeTurnedOff() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> env = ServerTestSupport.env(dataDir, db);
        env.put("MAILWRIGHT_LISTENERS_POP3_ENABLED", "false");
        env.put("MAILWRIGHT_LISTENERS_SUBMISSIONS_ENABLED", "false");
        env.put("MAILWRIGHT_LISTENERS_POP3S_ADDRESS", "127.0.0.2");
        env.put("MAILWRIGHT_LISTENERS_SUBMISSION_ADDRESS", "127.0.0.3");
        try (MailwrightServer server = MailwrightServer.start(ConfigLoader.load(Optional.empty(), env))) {
            Map<String, Integer> ports = server.ports();
            assertThat(ports).containsOnlyKeys("smtp", "submission", "pop3s", "metrics");
            try (Socket s = new Socket("127.0.0.2", ports.get("pop3s"))) {
                assertThat(s.isConnected()).isTrue();
            }
            try (Socket s = new Socket("127.0.0.3", ports.get("submission"))) {
                assertThat(s.isConnected()).isTrue();
            }
            assertThatThrownBy(() -> new Socket("127.0.0.1", ports.get("pop3s")).close())
                    .as("pop3s listens on 127.0.0.2 only").isInstanceOf(java.net.ConnectException.class);
        }
    }

    @Test
    void passwordsAreHashedAtTheConfiguredArgon2Cost() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> env = ServerTestSupport.env(dataDir, db);
        env.put("MAILWRIGHT_PASSWORDS_ARGON2_MEMORY", "32MiB");
        env.put("MAILWRIGHT_PASSWORDS_ARGON2_ITERATIONS", "3");
        try (MailwrightServer server = MailwrightServer.start(ConfigLoader.load(Optional.empty(), env))) {
            server.store().domains().add("example.org");
            server.store().accounts().add(Address.parse("ann@example.org"), "ann-password-1".toCharArray());
            assertThat(server.store().accounts().authenticate("ann@example.org", "ann-password-1".toCharArray()))
                    .isPresent();
        }
        try (java.sql.Connection c = db.dataSource().getConnection();
             java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT password_hash FROM accounts")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("$argon2id$v=19$m=32768,t=3,p=1$");
        }
    }

    @Test
    void adminCommandsThenSubmissionThenPop3() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> env = ServerTestSupport.env(dataDir, db);
        try (MailwrightServer server = MailwrightServer.start(ServerTestSupport.config(dataDir, db))) {
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(Main.run(new String[] {"domain", "add", "example.org"}, new PrintStream(new ByteArrayOutputStream()),
                    new PrintStream(err, true, UTF_8), new java.io.ByteArrayInputStream(new byte[0]), env))
                    .as(err.toString(UTF_8)).isZero();
            for (String user : new String[] {"alice", "bob"}) {
                assertThat(Main.run(new String[] {"user", "add", user + "@example.org", "--password-stdin"},
                        new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, UTF_8),
                        new java.io.ByteArrayInputStream((user + "-password-1\n").getBytes(UTF_8)), env))
                        .as(err.toString(UTF_8)).isZero();
            }
            java.util.Properties props = new java.util.Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", String.valueOf(server.ports().get("submission")));
            props.put("mail.smtp.auth", "true");
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
            props.put("mail.smtp.ssl.socketFactory", trustAll().getSocketFactory());
            props.put("mail.smtp.ssl.checkserveridentity", "false");
            jakarta.mail.Session session = jakarta.mail.Session.getInstance(props);
            jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage(session);
            m.setFrom(new jakarta.mail.internet.InternetAddress("alice@example.org"));
            m.setRecipient(jakarta.mail.Message.RecipientType.TO, new jakarta.mail.internet.InternetAddress("bob@example.org"));
            m.setSubject("submitted");
            m.setText("via 587\n", "UTF-8");
            jakarta.mail.Transport.send(m, "alice@example.org", "alice-password-1");
            String fetched = fetchFirst(server.ports().get("pop3s"), "bob@example.org", "bob-password-1");
            assertThat(fetched).contains("Subject: submitted").contains("via 587").contains("Received: from")
                    .contains("ESMTPSA");
            // the protocol servers report to the registry /metrics exports
            String metrics = get(server.ports().get("metrics"), "/metrics").body();
            assertThat(metrics)
                    .contains("mailwright_messages_accepted_total{application=\"mailwright\",protocol=\"smtp\"} 1.0")
                    .contains("mailwright_auth_total{application=\"mailwright\",protocol=\"smtp\",result=\"success\"} 1.0")
                    .contains("mailwright_auth_total{application=\"mailwright\",protocol=\"pop3\",result=\"success\"} 1.0")
                    .contains("mailwright_commands_total{application=\"mailwright\",protocol=\"pop3\",result=\"ok\",verb=\"RETR\"} 1.0")
                    .contains("mailwright_commands_total{application=\"mailwright\",protocol=\"smtp\",result=\"ok\",verb=\"DATA\"}")
                    .contains("mailwright_messages_retrieved_total{application=\"mailwright\",protocol=\"pop3\"} 1.0")
                    .contains("mailwright_delivery_seconds_count{application=\"mailwright\",protocol=\"smtp\"} 1")
                    .contains("mailwright_connections_total{application=\"mailwright\",protocol=\"smtp\"}")
                    .contains("mailwright_queue_depth{application=\"mailwright\"} 0.0");
        }
    }

    private static int run(Map<String, String> env, ByteArrayOutputStream err, String... args) {
        return Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, UTF_8),
                new java.io.ByteArrayInputStream(new byte[0]), env);
    }

    @Test
    void serveShouldGiveItsHelpAndRefuseUnknownOptionsLikeEveryCommand() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(Main.run(new String[] {"serve", "--help"}, new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8), new java.io.ByteArrayInputStream(new byte[0]), Map.of())).isZero();
        assertThat(out.toString(UTF_8)).startsWith("Usage: mailwright serve").contains("Runs the mail server");
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertThat(run(Map.of(), err2, "serve", "--bogus")).isEqualTo(1);
        assertThat(err2.toString(UTF_8)).isEqualTo("error: Unknown option: '--bogus' (see 'mailwright serve --help')"
                + System.lineSeparator());
    }

    @Test
    void configurationMistakesExitWithOneAndNameTheKey() throws Exception {
        Path conf = dataDir.resolve("bad.conf");
        java.nio.file.Files.writeString(conf, "listeners.smtp.prot = 25\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(Map.of(), err, "serve", "--config", conf.toString())).isEqualTo(1);
        assertThat(err.toString(UTF_8)).contains("listeners.smtp.prot").contains("line 1").doesNotContain("Exception");

        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        assertThat(run(Map.of("MAILWRIGHT_LIMITS_MAX_RECIPIENTS", "many"), err2, "serve")).isEqualTo(1);
        assertThat(err2.toString(UTF_8)).contains("limits.max-recipients");
    }

    @Test
    void unreachableDatabaseExitsWithTwo() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(ServerTestSupport.env(dataDir, TestDatabases.fresh()));
        env.put("MAILWRIGHT_DATABASE_URL", "jdbc:postgresql://127.0.0.1:" + closedPort + "/mailwright");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(run(env, err, "serve")).isEqualTo(2);
        assertThat(err.toString(UTF_8)).contains("database.url").contains("cannot be reached");
    }

    @Test
    void portInUseExitsWithTwoAndNamesTheListener() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Map<String, String> env = new HashMap<>(ServerTestSupport.env(dataDir, TestDatabases.fresh()));
            env.put("MAILWRIGHT_LISTENERS_POP3_PORT", String.valueOf(taken.getLocalPort()));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(run(env, err, "serve")).isEqualTo(2);
            assertThat(err.toString(UTF_8)).contains("listeners.pop3").contains("in use");
        }
    }

    @Test
    void aTakenEmbeddedDatabasePortExitsWithTwoInOneLineNamingTheSetting() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            Map<String, String> env = new HashMap<>(ServerTestSupport.env(dataDir, TestDatabases.fresh()));
            env.remove("MAILWRIGHT_DATABASE_URL");
            env.put("MAILWRIGHT_DATABASE_EMBEDDED_PORT", String.valueOf(taken.getLocalPort()));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            assertThat(run(env, err, "serve")).isEqualTo(2);
            assertThat(err.toString(UTF_8)).isEqualTo("mailwright: database.embedded-port " + taken.getLocalPort()
                    + ": 127.0.0.1:" + taken.getLocalPort() + " is already in use by another program;"
                    + " stop it or choose another port" + System.lineSeparator());
        }
    }

    @Test
    void aTlsFailureWhileTheEmbeddedDatabaseStartsStopsThatDatabaseAgain() throws Exception {
        java.nio.file.Files.setPosixFilePermissions(dataDir,
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x")); // PostgreSQL runs as another user under root
        Path cert = dataDir.resolve("cert.pem");
        Path key = dataDir.resolve("key.pem");
        java.nio.file.Files.writeString(cert, "not a certificate\n");
        java.nio.file.Files.writeString(key, "not a key\n");
        int pgPort;
        try (ServerSocket s = new ServerSocket(0)) {
            pgPort = s.getLocalPort();
        }
        Map<String, String> env = new HashMap<>(ServerTestSupport.env(dataDir, TestDatabases.fresh()));
        env.remove("MAILWRIGHT_DATABASE_URL");
        env.put("MAILWRIGHT_DATABASE_EMBEDDED_PORT", String.valueOf(pgPort));
        env.put("MAILWRIGHT_TLS_CERTIFICATE", cert.toString());
        env.put("MAILWRIGHT_TLS_KEY", key.toString());
        ServerConfig config = ConfigLoader.load(Optional.empty(), env);
        assertThat(config.database().embedded()).isTrue();

        assertThatThrownBy(() -> MailwrightServer.start(config)).isInstanceOf(StartupException.class)
                .hasMessageContaining("tls.certificate " + cert).hasMessageContaining("cannot be used");

        // the PostgreSQL started in the background for this start is stopped before the failure is reported
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
        assertThat(dataDir.resolve("postgres.owner")).doesNotExist();
        try (Socket probe = new Socket()) {
            assertThatThrownBy(() -> probe.connect(new java.net.InetSocketAddress("127.0.0.1", pgPort), 1000))
                    .isInstanceOf(java.io.IOException.class);
        }
    }
}
