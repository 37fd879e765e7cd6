package com.example.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.test.Faults;
import dev.mailwright.test.MailwrightExtension;
import dev.mailwright.test.ReceivedMessage;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.Reader;
import java.time.Duration;
import org.apache.commons.net.pop3.POP3SClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The kit from the outside: setup with TLS in four lines, a wait, faults, and what the class path holds. */
class ConsumerTest {

    @RegisterExtension
    static MailwrightExtension mail = MailwrightExtension.create()
            .withUser("shop@example.test", "shop-secret")
            .withUser("buyer@example.test", "buyer-secret");

    private static void order(Session session, String subject) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("shop@example.test"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("buyer@example.test"));
        m.setSubject(subject);
        m.setText("Thank you for your order.");
        Transport.send(m);
    }

    @Test
    void aConfirmationSentOverStartTlsArrives() throws Exception {
        order(mail.submissionSession("shop@example.test", "shop-secret"), "Order 1");

        ReceivedMessage got = mail.awaitMessages("buyer@example.test", 1, Duration.ofSeconds(10)).stream()
                .filter(m -> "Order 1".equals(m.subject())).findFirst().orElseThrow();
        assertThat(got.envelope().recipients()).containsExactly("buyer@example.test");
    }

    @Test
    void aRetryingSenderGetsThroughOnTheThirdAttempt(Faults faults) throws Exception {
        faults.smtp(Faults.RCPT).recipient("buyer@example.test").times(2).reply("451 4.3.0 try again later");
        Session session = mail.smtpsSession("shop@example.test", "shop-secret");
        int attempts = 0;
        boolean sent = false;
        while (!sent && attempts < 5) {
            attempts++;
            try {
                order(session, "Retried order");
                sent = true;
            } catch (MessagingException e) {
                assertThat(e).hasStackTraceContaining("451 4.3.0 try again later");
            }
        }
        assertThat(attempts).isEqualTo(3);
        assertThat(mail.awaitMessages("buyer@example.test", 1, Duration.ofSeconds(10)))
                .extracting(ReceivedMessage::subject).contains("Retried order");
    }

    @Test
    void aPop3ClientSeesATemporaryErrorOnRetr() throws Exception {
        order(mail.submissionSession("shop@example.test", "shop-secret"), "To fetch");
        mail.awaitMessages("buyer@example.test", 1, Duration.ofSeconds(10));
        mail.faults().pop3(Faults.RETR).times(1).reply("-ERR [SYS/TEMP] try again later");

        POP3SClient pop3 = mail.pop3Client();
        try {
            assertThat(pop3.execTLS()).isTrue();
            assertThat(pop3.login("buyer@example.test", "buyer-secret")).isTrue();
            assertThat(pop3.retrieveMessage(1)).isNull();
            assertThat(pop3.getReplyString()).startsWith("-ERR [SYS/TEMP]");
            try (Reader r = pop3.retrieveMessage(1)) {
                assertThat(r).isNotNull();
            }
        } finally {
            pop3.disconnect();
        }
    }

    @Test
    void aFailedStartTlsHandshakeIsReportedToTheSender() {
        mail.faults().smtp(Faults.STARTTLS).times(1).failTls();
        assertThatThrownBy(() -> order(mail.submissionSession("shop@example.test", "shop-secret"), "x"))
                .isInstanceOf(MessagingException.class);
    }

    @Test
    void theClassPathHasNoNativeCodeNoDaggerNoDatabaseDriverAndNoBouncyCastle() {
        for (String absent : new String[] {"com.sun.jna.Native", "dagger.Component", "org.postgresql.Driver",
                "org.bouncycastle.jce.provider.BouncyCastleProvider", "org.bouncycastle.cert.X509CertificateHolder",
                "org.xbill.DNS.Lookup", "org.apache.james.jdkim.DKIMVerifier"}) {
            assertThatThrownBy(() -> Class.forName(absent)).as(absent).isInstanceOf(ClassNotFoundException.class);
        }
    }
}
