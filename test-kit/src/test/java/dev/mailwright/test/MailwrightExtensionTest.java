package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.commons.net.smtp.SMTPReply;
import org.apache.commons.net.smtp.SMTPSClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class MailwrightExtensionTest {

    @RegisterExtension
    static MailwrightExtension mail = MailwrightExtension.create()
            .withUser("ann@example.test", "ann-secret")
            .withUser("bob@example.test", "bob-secret");

    private static MimeMessage message(jakarta.mail.Session session, String from, String to, String subject)
            throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject(subject);
        m.setText("Hello " + to);
        return m;
    }

    @Test
    void submissionOverStartTlsIsReceivedAndFetchedOverStls() throws Exception {
        jakarta.mail.Session submit = mail.submissionSession("ann@example.test", "ann-secret");
        Transport.send(message(submit, "ann@example.test", "bob@example.test", "over STARTTLS"));

        ReceivedMessage got = mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10)).get(0);
        assertThat(got.subject()).isEqualTo("over STARTTLS");
        assertThat(got.rawText()).startsWith("Return-Path: <ann@example.test>\r\nReceived: from client.test").contains("ESMTPSA");
        assertThat(got.envelope().mailFrom()).contains("ann@example.test");
        assertThat(got.envelope().authenticated()).contains("ann@example.test");

        Store pop3 = mail.pop3Session("bob@example.test", "bob-secret").getStore();
        pop3.connect();
        try {
            Folder inbox = pop3.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessages()).extracting(Message::getSubject).contains("over STARTTLS");
            inbox.close(false);
        } finally {
            pop3.close();
        }
    }

    @Test
    void mxTransactionsKeepTheirEnvelopeWithDsnParameters() throws Exception {
        SMTPSClient smtp = mail.smtpClient();
        try {
            smtp.sendCommand("EHLO client.test");
            assertThat(smtp.execTLS()).isTrue();
            smtp.sendCommand("EHLO client.test");
            assertThat(smtp.sendCommand("MAIL FROM:<sender@elsewhere.test> RET=HDRS ENVID=abc123")).isEqualTo(250);
            assertThat(smtp.sendCommand("RCPT TO:<ann@example.test> NOTIFY=NEVER")).isEqualTo(250);
            assertThat(smtp.sendShortMessageData("Subject: dsn\r\n\r\nbody\r\n")).isTrue();
            smtp.logout();
        } finally {
            smtp.disconnect();
        }
        ReceivedEnvelope envelope = mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(10)).stream()
                .filter(m -> "dsn".equals(m.subject())).findFirst().orElseThrow().envelope();
        assertThat(envelope.mailFrom()).contains("sender@elsewhere.test");
        assertThat(envelope.recipients()).containsExactly("ann@example.test");
        assertThat(envelope.ret()).contains("HDRS");
        assertThat(envelope.envId()).contains("abc123");
        assertThat(mail.transactions()).contains(envelope);
    }

    @Test
    void mailToOtherDomainsWaitsInTheOutboundQueueUndelivered() throws Exception {
        jakarta.mail.Session submit = mail.smtpsSession("ann@example.test", "ann-secret");
        Transport.send(message(submit, "ann@example.test", "carol@remote.test", "to a remote domain"));

        assertThat(mail.outbound()).singleElement().satisfies(q -> {
            assertThat(q.recipient().address().toString()).isEqualTo("carol@remote.test");
            assertThat(q.mailFrom()).contains("ann@example.test");
            assertThat(q.rawText()).contains("Subject: to a remote domain");
        });
    }

    @Test
    void pop3sAndCommonsNetStlsLogIn(MailwrightExtension injected) throws Exception {
        assertThat(injected).isSameAs(mail);
        jakarta.mail.Session s = mail.pop3sSession("ann@example.test", "ann-secret");
        Store store = s.getStore();
        store.connect();
        store.close();

        POP3SClient pop3 = mail.pop3Client();
        try {
            assertThat(pop3.execTLS()).isTrue();
            assertThat(pop3.login("bob@example.test", "bob-secret")).isTrue();
            assertThat(pop3.logout()).isTrue();
        } finally {
            pop3.disconnect();
        }
    }

    @Test
    void aWrongPasswordIsRefused() {
        jakarta.mail.Session submit = mail.submissionSession("ann@example.test", "wrong");
        assertThatThrownBy(() -> Transport.send(message(submit, "ann@example.test", "bob@example.test", "x")))
                .isInstanceOf(jakarta.mail.AuthenticationFailedException.class);
    }

    @Test
    void awaitMessagesSaysHowManyArrivedWhenTooFewDid() {
        assertThatThrownBy(() -> mail.awaitMessages("nobody@example.test", 1, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class).hasMessageContaining("got 0");
    }

    @Test
    void smtpReplyCodesAreExact() throws Exception {
        SMTPSClient smtp = mail.smtpClient();
        try {
            smtp.helo("client.test");
            assertThat(smtp.sendCommand("RCPT TO:<ann@example.test>")).isEqualTo(503);
            assertThat(SMTPReply.isPositiveCompletion(smtp.sendCommand("MAIL FROM:<>"))).isTrue();
            assertThat(smtp.sendCommand("RCPT TO:<nobody@example.test>")).isEqualTo(550);
        } finally {
            smtp.disconnect();
        }
    }
}
