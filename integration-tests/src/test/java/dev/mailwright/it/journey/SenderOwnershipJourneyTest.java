package dev.mailwright.it.journey;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.MailClients.SmtpWay;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.postgres.testing.TestDatabases;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.james.jdkim.DKIMVerifier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22: a user of other.org, logged in on 587 (STARTTLS and AUTH) with Jakarta Mail, sends
 * with its own envelope sender but {@code From: "Payments" <billing@example.org>}: refused with
 * 550 5.7.1 at the end of DATA, nothing queued, nothing reaches the outside. alice's own mail
 * arrives at the external MX signed d=example.org, and the signature verifies; once an
 * administrator grants billing@ to the other user, its mail goes out signed too.
 */
@Timeout(180)
class SenderOwnershipJourneyTest {

    @TempDir
    Path dir;

    private final List<byte[]> received = new CopyOnWriteArrayList<>();
    private SmtpServer mx;

    @BeforeEach
    void startMx() {
        MailHandler.Factory capture = session -> new MailHandler() {
            private final ByteArrayOutputStream content = new ByteArrayOutputStream();

            @Override
            public OutputStream content() {
                return content;
            }

            @Override
            public void done() {
                received.add(content.toByteArray());
            }
        };
        mx = SmtpServer.builder().hostname("mx.external.test").localDomains(d -> true).handler(capture)
                .tls(SelfSignedCertificate.generate("mx.external.test").tlsConfig()).mx(0).start();
    }

    @AfterEach
    void stopMx() {
        mx.close();
    }

    private static void submit(Map<String, Integer> ports, String user, String password, String envelopeFrom,
                               String from, String subject) throws MessagingException {
        Session session = MailClients.smtpSession(SmtpWay.SUBMISSION_STARTTLS, ports);
        session.getProperties().put("mail.smtp.from", envelopeFrom);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        m.addRecipient(Message.RecipientType.TO, new InternetAddress("friend@external.test"));
        m.setSubject(subject);
        m.setText("body of " + subject + "\n", "UTF-8");
        m.saveChanges();
        try (Transport t = session.getTransport("smtp")) {
            t.connect(user, password);
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 600 && !condition.getAsBoolean(); i++) {
            Thread.sleep(100);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }

    @Test
    void spoofedFromIsRefusedAndTheOwnFromLeavesSignedAndVerifies() throws Exception {
        Map<String, String> env = TestServers.env(Files.createDirectories(dir.resolve("node")), TestDatabases.fresh());
        env.put("MAILWRIGHT_OUTBOUND_ENABLED", "true");
        env.put("MAILWRIGHT_OUTBOUND_SMARTHOST", "127.0.0.1:" + mx.port(SmtpSettings.Mode.MX));
        env.put("MAILWRIGHT_OUTBOUND_SMARTHOST_VERIFY_CERTIFICATE", "false");
        try (MailwrightServer server = TestServers.start(env)) {
            admin(env, null, "domain", "add", "example.org");
            admin(env, null, "domain", "add", "other.org");
            addUser(env, "alice@example.org", "alice-password-1");
            addUser(env, "eve@other.org", "eve-password-123");
            String publicKey = new DkimKeyGenerator(server.store().dkimKeys())
                    .generate("example.org", "s1", DkimKey.Algorithm.RSA_SHA256).publicKeyTag();
            DKIMVerifier verifier = new DKIMVerifier((method, selector, domain) ->
                    domain.equals("example.org") && selector.equals("s1") ? List.of("v=DKIM1; k=rsa; p=" + publicKey)
                            : List.of());

            assertThatThrownBy(() -> submit(server.ports(), "eve@other.org", "eve-password-123", "eve@other.org",
                    "\"Payments\" <billing@example.org>", "spoofed"))
                    .isInstanceOf(MessagingException.class).hasMessageContaining("550 5.7.1");
            assertThatThrownBy(() -> submit(server.ports(), "eve@other.org", "eve-password-123",
                    "billing@example.org", "eve@other.org", "envelope"))
                    .isInstanceOf(MessagingException.class).hasMessageContaining("550 5.7.1");
            assertThat(server.store().queue().size()).as("nothing queued").isZero();

            submit(server.ports(), "alice@example.org", "alice-password-1", "alice@example.org",
                    "Alice <alice@example.org>", "own");
            await(() -> received.size() == 1, "alice's message reached the MX");
            String text = new String(received.get(0), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(text).contains("Subject: own", "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1;");
            assertThat(verifier.verify(new ByteArrayInputStream(received.get(0)))).hasSize(1);

            admin(env, null, "sender", "grant", "billing@example.org", "eve@other.org");
            submit(server.ports(), "eve@other.org", "eve-password-123", "eve@other.org",
                    "\"Payments\" <billing@example.org>", "granted");
            await(() -> received.size() == 2, "the granted message reached the MX");
            assertThat(new String(received.get(1), java.nio.charset.StandardCharsets.UTF_8)).contains("Subject: granted");
            assertThat(verifier.verify(new ByteArrayInputStream(received.get(1)))).hasSize(1);
        }
    }
}
