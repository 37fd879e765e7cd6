package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.commons.net.smtp.SMTPSClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** As GreenMail does: with acceptingAnyUser(), any address is a user, made on first use. */
class AcceptAnyUserTest {

    @RegisterExtension
    MailwrightExtension mail = MailwrightExtension.create().acceptingAnyUser();

    @Test
    void mailToAnyAddressIsStoredAndItsUserLogsInWithTheAddressAsPassword() throws Exception {
        SMTPSClient smtp = mail.smtpClient();
        try {
            smtp.sendCommand("EHLO client.test");
            assertThat(smtp.execTLS()).isTrue();
            smtp.sendCommand("EHLO client.test");
            assertThat(smtp.sendCommand("MAIL FROM:<someone@elsewhere.test>")).isEqualTo(250);
            assertThat(smtp.sendCommand("RCPT TO:<new.user@anywhere.test>")).isEqualTo(250);
            assertThat(smtp.sendShortMessageData("Subject: hello\r\n\r\nx\r\n")).isTrue();
        } finally {
            smtp.disconnect();
        }
        assertThat(mail.awaitMessages("new.user@anywhere.test", 1, Duration.ofSeconds(10))).hasSize(1);

        POP3SClient pop3 = mail.pop3Client();
        try {
            assertThat(pop3.execTLS()).isTrue();
            assertThat(pop3.login("new.user@anywhere.test", "new.user@anywhere.test")).isTrue();
            assertThat(pop3.status().number).isEqualTo(1);
        } finally {
            pop3.disconnect();
        }
    }

    @Test
    void anUnknownUserWhoLogsInIsMadeWithThatPassword() throws Exception {
        POP3SClient pop3 = mail.pop3Client();
        try {
            assertThat(pop3.execTLS()).isTrue();
            assertThat(pop3.login("fresh@example.test", "chosen-password")).isTrue();
            assertThat(pop3.logout()).isTrue();
        } finally {
            pop3.disconnect();
        }
        POP3SClient again = mail.pop3Client();
        try {
            assertThat(again.execTLS()).isTrue();
            assertThat(again.login("fresh@example.test", "another-password")).as("the user exists now").isFalse();
        } finally {
            again.disconnect();
        }
    }
}
