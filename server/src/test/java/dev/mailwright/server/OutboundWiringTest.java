package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server runs the outbound worker: mail a user submits for another domain leaves through
 * the configured smarthost (STARTTLS required), DKIM-signed with the key {@code dkim keygen}
 * made, without waiting for the worker's next poll.
 */
@Timeout(120)
class OutboundWiringTest {

    @TempDir
    Path dataDir;

    private record Received(List<String> recipients, String content) {
    }

    @Test
    void submittedMailForAnotherDomainLeavesThroughTheSmarthostSigned() throws Exception {
        List<Received> relayed = new CopyOnWriteArrayList<>();
        MailHandler.Factory capture = session -> new MailHandler() {
            private final List<String> rcpts = new CopyOnWriteArrayList<>();
            private final ByteArrayOutputStream content = new ByteArrayOutputStream();

            @Override
            public void recipient(RcptTo recipient) {
                rcpts.add(recipient.address().toString());
            }

            @Override
            public OutputStream content() {
                return content;
            }

            @Override
            public void done() {
                relayed.add(new Received(List.copyOf(rcpts), content.toString(UTF_8)));
            }
        };
        try (SmtpServer relay = SmtpServer.builder().hostname("relay.test").localDomains(d -> true).handler(capture)
                .tls(SelfSignedCertificate.generate("relay.test").tlsConfig()).mx(0).start()) {
            TestDatabases.TestDatabase db = TestDatabases.fresh();
            Map<String, String> env = ServerTestSupport.env(dataDir, db);
            // mail for remote.example goes through its own smarthost, which wins over the global one
            // (a closed port: using it would leave the message in the queue)
            env.put("MAILWRIGHT_OUTBOUND_SMARTHOST", "127.0.0.1:1");
            java.nio.file.Path conf = java.nio.file.Files.createTempFile("mailwright", ".conf");
            java.nio.file.Files.writeString(conf, "outbound.domain-smarthosts {\n"
                    + "  \"remote.example\" { host = \"127.0.0.1:" + relay.port(SmtpSettings.Mode.MX) + "\", "
                    + "verify-certificate = false }\n" // the relay's certificate is self-signed
                    + "}\n");
            try (MailwrightServer server = MailwrightServer.start(ConfigLoader.load(Optional.of(conf), env))) {
                assertThat(run(env, null, "domain", "add", "example.org")).isEmpty();
                assertThat(run(env, "alice-password-1\n", "user", "add", "alice@example.org", "--password-stdin")).isEmpty();
                ByteArrayOutputStream record = new ByteArrayOutputStream();
                ByteArrayOutputStream err = new ByteArrayOutputStream();
                assertThat(Main.run(new String[] {"dkim", "keygen", "example.org", "--selector", "s1"},
                        new PrintStream(record, true, UTF_8), new PrintStream(err, true, UTF_8),
                        new ByteArrayInputStream(new byte[0]), env)).as(err.toString(UTF_8)).isZero();
                assertThat(record.toString(UTF_8)).startsWith("s1._domainkey.example.org.").contains("v=DKIM1; k=rsa; p=");

                Properties props = new Properties();
                props.put("mail.smtp.host", "127.0.0.1");
                props.put("mail.smtp.port", String.valueOf(server.ports().get("submission")));
                props.put("mail.smtp.auth", "true");
                props.put("mail.smtp.starttls.enable", "true");
                props.put("mail.smtp.starttls.required", "true");
                props.put("mail.smtp.ssl.socketFactory", MailwrightServerTest.trustAll().getSocketFactory());
                props.put("mail.smtp.ssl.checkserveridentity", "false");
                jakarta.mail.internet.MimeMessage m = new jakarta.mail.internet.MimeMessage(jakarta.mail.Session.getInstance(props));
                m.setFrom(new jakarta.mail.internet.InternetAddress("alice@example.org"));
                m.setRecipient(jakarta.mail.Message.RecipientType.TO, new jakarta.mail.internet.InternetAddress("carol@remote.example"));
                m.setSubject("leaving");
                m.setText("to another domain\n", "UTF-8");
                jakarta.mail.Transport.send(m, "alice@example.org", "alice-password-1");

                for (int i = 0; i < 300 && relayed.isEmpty(); i++) {
                    Thread.sleep(100); // the worker is woken by the commit; its poll interval is 10 s
                }
                assertThat(relayed).hasSize(1);
                Received r = relayed.get(0);
                assertThat(r.recipients()).containsExactly("carol@remote.example");
                assertThat(r.content()).contains("Subject: leaving").contains("to another domain")
                        .contains("DKIM-Signature:").contains("d=example.org").contains("s=s1")
                        .containsOnlyOnce("Return-Path:"); // the relay's own; ours is not sent on
                for (int i = 0; i < 100 && server.store().queue().size() > 0; i++) {
                    Thread.sleep(100);
                }
                assertThat(server.store().queue().size()).as("delivered items leave the queue").isZero();

                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.ports().get("metrics") + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertThat(sample(metrics, "mailwright_outbound_attempts_total", "result=\"delivered\"")).isEqualTo(1.0);
                assertThat(sample(metrics, "mailwright_outbound_attempts_total", "result=\"deferred\"")).isZero();
                assertThat(sample(metrics, "mailwright_outbound_attempts_total", "result=\"bounced\"")).isZero();
                assertThat(sample(metrics, "mailwright_outbound_delivery_latency_seconds_count", "")).isEqualTo(1.0);
                assertThat(sample(metrics, "mailwright_outbound_connections_total", "tls=\"true\"")).as("STARTTLS to the smarthost")
                        .isEqualTo(1.0);
                assertThat(sample(metrics, "mailwright_outbound_connections_total", "tls=\"false\"")).isZero();
                assertThat(sample(metrics, "mailwright_outbound_dsns_total", "action=\"failed\"")).isZero();
            }
        }
    }

    /** The value of the first sample of {@code name} whose labels contain {@code label}. */
    private static double sample(String exposition, String name, String label) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String labels = line.contains("{") ? line.substring(line.indexOf('{'), line.indexOf('}') + 1) : "";
                if (labels.contains(label)) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        throw new AssertionError("no sample " + name + " " + label + " in:\n" + exposition);
    }

    private static String run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, UTF_8),
                new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(UTF_8)), env);
        return code == 0 ? "" : code + ": " + err.toString(UTF_8);
    }
}
