package dev.mailwright.it.journey;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.MailClients.SmtpWay;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.postgres.testing.TestDatabases;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail for other domains leaving the running servers: a test MX (our own SmtpServer, reached as
 * the configured smarthost since DNS cannot point here) receives the external copy while the
 * local copy is fetched over POP3; with two nodes' outbound workers on one PostgreSQL every
 * queued message reaches the MX exactly once.
 */
@Timeout(180)
class OutboundJourneyTest {

    private static final Pattern MARK = Pattern.compile("Subject: (out-\\d+)");

    @TempDir
    Path dir;

    private final List<String> received = new CopyOnWriteArrayList<>();
    private SmtpServer mx;

    @BeforeEach
    void startMx() {
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
                Matcher m = MARK.matcher(content.toString(UTF_8));
                received.add(String.join(",", rcpts) + " " + (m.find() ? m.group(1) : content.toString(UTF_8)));
            }
        };
        mx = SmtpServer.builder().hostname("mx.external.test").localDomains(d -> true).handler(capture)
                .tls(SelfSignedCertificate.generate("mx.external.test").tlsConfig()).mx(0).start();
    }

    @AfterEach
    void stopMx() {
        mx.close();
    }

    private Map<String, String> node(String name, TestDatabases.TestDatabase db) throws Exception {
        Path home = Files.createDirectories(dir.resolve(name));
        Map<String, String> env = TestServers.env(home, db);
        env.put("MAILWRIGHT_OUTBOUND_ENABLED", "true");
        env.put("MAILWRIGHT_OUTBOUND_SMARTHOST", "127.0.0.1:" + mx.port(SmtpSettings.Mode.MX));
        env.put("MAILWRIGHT_OUTBOUND_SMARTHOST_VERIFY_CERTIFICATE", "false");
        return env;
    }

    private static void submit(Map<String, Integer> ports, String subject, String... to) throws Exception {
        Session session = MailClients.smtpSession(SmtpWay.SUBMISSION_STARTTLS, ports);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("alice@example.org"));
        for (String t : to) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
        }
        m.setSubject(subject);
        m.setText("body of " + subject + "\n", "UTF-8");
        m.saveChanges();
        try (Transport t = session.getTransport("smtp")) {
            t.connect("alice@example.org", "alice-password-1");
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void theExternalCopyReachesTheMxAndBobsCopyIsInHisMailbox() throws Exception {
        Map<String, String> env = node("a", TestDatabases.fresh());
        try (MailwrightServer server = TestServers.start(env)) {
            admin(env, null, "domain", "add", "example.org");
            addUser(env, "alice@example.org", "alice-password-1");
            addUser(env, "bob@example.org", "bob-password-22");
            submit(server.ports(), "out-1", "bob@example.org", "friend@external.test");

            await(() -> received.size() == 1, "the external copy reached the MX");
            assertThat(received).containsExactly("friend@external.test out-1");
            assertThat(server.store().accounts().get(dev.mailwright.store.Address.parse("bob@example.org"))
                    .orElseThrow().usage().messages()).isEqualTo(1);
            await(() -> server.store().queue().size() == 0, "the queue is empty");
        }
    }

    @Test
    void twoNodesWorkersDeliverEveryQueuedMessageExactlyOnce() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> a = node("a", db);
        Map<String, String> b = node("b", db);
        int perNode = 15;
        try (MailwrightServer nodeA = TestServers.start(a); MailwrightServer nodeB = TestServers.start(b)) {
            admin(a, null, "domain", "add", "example.org");
            addUser(a, "alice@example.org", "alice-password-1");
            for (int i = 0; i < perNode; i++) {
                submit(nodeA.ports(), "out-" + (2 * i), "r" + (2 * i) + "@external.test");
                submit(nodeB.ports(), "out-" + (2 * i + 1), "r" + (2 * i + 1) + "@external.test");
            }
            await(() -> received.size() >= 2 * perNode && nodeA.store().queue().size() == 0, "everything delivered");
            Thread.sleep(1_000); // a late duplicate would arrive within a poll; none may
            Map<String, Long> times = received.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
            assertThat(times).hasSize(2 * perNode);
            assertThat(times.values()).as("each message reached the MX once").containsOnly(1L);
        }
    }
}
