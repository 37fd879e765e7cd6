package dev.mailwright.smtp.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.smtp.testing.TestTls;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import org.apache.commons.net.smtp.AuthenticatingSMTPClient;
import org.apache.commons.net.smtp.SMTPClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real clients over real sockets: Jakarta Mail (Angus) and Apache Commons Net against a server on port 0. */
class ClientLibrariesTest {

    private MailStore store;
    private SmtpServer server;

    @BeforeEach
    void start() {
        store = SessionHarness.fixtureStore();
        server = SmtpServer.builder().hostname("mx.example.org").store(store).tls(TestTls.server())
                .mx(0).submission(0).submissions(0).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Session mail(String protocol, int port, Properties extra) {
        Properties p = new Properties();
        p.put("mail." + protocol + ".host", "localhost");
        p.put("mail." + protocol + ".port", String.valueOf(port));
        p.put("mail." + protocol + ".localhost", "client.example");
        p.put("mail." + protocol + ".ssl.trust", "*");
        p.put("mail." + protocol + ".timeout", "20000");
        p.put("mail." + protocol + ".connectiontimeout", "5000");
        p.putAll(extra);
        return Session.getInstance(p);
    }

    private static MimeMessage message(Session session, String from, String to, String subject, String body) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject(subject, "UTF-8");
        m.setText(body, "UTF-8");
        return m;
    }

    private String newest(String mailbox) throws Exception {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            var list = drop.messages();
            try (InputStream in = drop.open(list.get(list.size() - 1).uid())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private int count(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            return drop.messages().size();
        }
    }

    @Test
    void jakartaMailShouldDeliverPlainMxMail() throws Exception {
        Session s = mail("smtp", server.port(SmtpSettings.Mode.MX), new Properties());
        Transport.send(message(s, "sender@elsewhere.test", "alice@example.org", "plain mx", "Hello Alice\n.\nstill here"));
        String stored = newest("alice@example.org");
        assertThat(stored).startsWith("Return-Path: <sender@elsewhere.test>\r\nReceived: from client.example ([127.0.0.1])");
        assertThat(stored).contains("Subject: plain mx").contains("Hello Alice\r\n.\r\nstill here");
    }

    @Test
    void jakartaMailShouldSubmitWithStarttlsAndAuthPlain() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.auth.mechanisms", "PLAIN");
        Session s = mail("smtp", server.port(SmtpSettings.Mode.SUBMISSION), p);
        MimeMessage m = message(s, "alice@example.org", "bob@example.org", "submitted", "Hi Bob");
        m.addRecipient(Message.RecipientType.CC, new InternetAddress("friend@elsewhere.test"));
        Transport.send(m, "alice@example.org", SessionHarness.ALICE_PASSWORD);
        assertThat(newest("bob@example.org")).contains("with ESMTPSA id").containsPattern("\\(TLSv1\\.[23] with cipher TLS_");
        assertThat(store.queue().list()).hasSize(1);
        assertThat(store.queue().list().get(0).recipient().address().toString()).isEqualTo("friend@elsewhere.test");
    }

    @Test
    void jakartaMailShouldSubmitWithAuthLoginAndBeRefusedAWrongPassword() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.auth.mechanisms", "LOGIN");
        Session s = mail("smtp", server.port(SmtpSettings.Mode.SUBMISSION), p);
        Transport.send(message(s, "alice@example.org", "bob@example.org", "login", "x"), "alice@example.org",
                SessionHarness.ALICE_PASSWORD);
        assertThat(count("bob@example.org")).isEqualTo(1);
        assertThatThrownBy(() -> Transport.send(message(s, "alice@example.org", "bob@example.org", "no", "x"),
                "alice@example.org", "wrong")).isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
        assertThat(count("bob@example.org")).isEqualTo(1);
    }

    @Test
    void jakartaMailShouldSubmitOverImplicitTls() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtps.auth", "true");
        Session s = mail("smtps", server.port(SmtpSettings.Mode.SUBMISSIONS), p);
        MimeMessage m = message(s, "alice@example.org", "bob@example.org", "smtps", "over TLS");
        try (Transport t = s.getTransport("smtps")) {
            t.connect("alice@example.org", SessionHarness.ALICE_PASSWORD);
            t.sendMessage(m, m.getAllRecipients());
        }
        assertThat(newest("bob@example.org")).contains("with ESMTPSA id");
    }

    @Test
    void jakartaMailShouldSend8bitMimeAndSmtpUtf8Addresses() throws Exception {
        Properties p = new Properties();
        p.put("mail.smtp.allow8bitmime", "true");
        p.put("mail.mime.allowutf8", "true");
        Session s = mail("smtp", server.port(SmtpSettings.Mode.MX), p);
        MimeMessage m = new MimeMessage(s);
        m.setFrom(new InternetAddress("grüße@bücher.example"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("jürgen@example.org"));
        m.setSubject("Grüße", "UTF-8");
        m.setText("Schöne Grüße aus Köln", "UTF-8");
        m.setHeader("Content-Transfer-Encoding", "8bit");
        Transport.send(m);
        String stored = newest("jürgen@example.org");
        assertThat(stored).contains("Return-Path: <grüße@bücher.example>").contains("with UTF8SMTP id")
                .contains("Schöne Grüße aus Köln");
    }

    @Test
    void commonsNetShouldDeliverPlainMxMail() throws Exception {
        SMTPClient c = new SMTPClient();
        c.setDefaultTimeout(20_000);
        c.connect("127.0.0.1", server.port(SmtpSettings.Mode.MX));
        assertThat(SMTPReply.isPositiveCompletion(c.getReplyCode())).isTrue();
        assertThat(c.login("client.example")).isTrue();
        assertThat(c.setSender("sender@elsewhere.test")).isTrue();
        assertThat(c.addRecipient("alice@example.org")).isTrue();
        assertThat(c.addRecipient("nobody@example.org")).isFalse();
        assertThat(c.getReplyString()).startsWith("550 5.1.1");
        assertThat(c.sendShortMessageData("Subject: commons-net\r\n\r\n.leading dot\r\n")).isTrue();
        c.logout();
        c.disconnect();
        assertThat(newest("alice@example.org")).endsWith("Subject: commons-net\r\n\r\n.leading dot\r\n");
    }

    @Test
    void commonsNetShouldSubmitWithStarttlsAndAuthPlain() throws Exception {
        AuthenticatingSMTPClient c = new AuthenticatingSMTPClient("TLS", false);
        c.setDefaultTimeout(20_000);
        c.setTrustManager(org.apache.commons.net.util.TrustManagerUtils.getAcceptAllTrustManager());
        c.connect("127.0.0.1", server.port(SmtpSettings.Mode.SUBMISSION));
        assertThat(c.elogin("client.example")).isTrue();
        assertThat(c.execTLS()).isTrue();
        assertThat(c.elogin("client.example")).isTrue();
        assertThat(c.auth(AuthenticatingSMTPClient.AUTH_METHOD.PLAIN, "alice@example.org", SessionHarness.ALICE_PASSWORD)).isTrue();
        assertThat(c.setSender("alice@example.org")).isTrue();
        assertThat(c.addRecipient("bob@example.org")).isTrue();
        assertThat(c.sendShortMessageData("Subject: via commons-net\r\n\r\nbody\r\n")).isTrue();
        c.logout();
        c.disconnect();
        assertThat(newest("bob@example.org")).contains("with ESMTPSA").contains("\r\nMessage-ID: <").contains("\r\nDate: ");
    }
}
