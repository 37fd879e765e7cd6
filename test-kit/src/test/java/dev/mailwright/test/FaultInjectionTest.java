package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.io.IOException;
import java.io.Reader;
import java.time.Duration;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.commons.net.smtp.SMTPSClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FaultInjectionTest {

    @RegisterExtension
    MailwrightExtension mail = MailwrightExtension.create()
            .withUser("ann@example.test", "ann-secret")
            .withUser("bob@example.test", "bob-secret");

    private void send(String subject) throws MessagingException {
        Submit.send(mail, "ann@example.test", "ann-secret", "bob@example.test", subject, "body");
    }

    /** An MX client after EHLO and STARTTLS. */
    private SMTPSClient mx() throws IOException {
        SMTPSClient smtp = mail.smtpClient();
        smtp.sendCommand("EHLO client.test");
        assertThat(smtp.execTLS()).isTrue();
        smtp.sendCommand("EHLO client.test");
        return smtp;
    }

    @Test
    void theFirstTwoAttemptsFailAndTheThirdSucceeds() throws Exception {
        mail.faults().smtp(Faults.RCPT).recipient("bob@example.test").times(2).reply("450 4.2.1 mailbox busy, try later");

        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThatThrownBy(() -> send("retried")).isInstanceOf(SendFailedException.class)
                    .hasStackTraceContaining("450 4.2.1 mailbox busy");
        }
        send("retried");

        assertThat(mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10))).hasSize(1);
        assertThat(mail.transactions()).hasSize(1);
    }

    @Test
    void aFaultForOneRecipientLeavesTheOthersAlone() throws Exception {
        mail.faults().smtp(Faults.RCPT).recipient("bob@example.test").reply("550 5.1.1 no such user here");
        SMTPSClient smtp = mx();
        try {
            assertThat(smtp.sendCommand("MAIL FROM:<x@elsewhere.test>")).isEqualTo(250);
            assertThat(smtp.sendCommand("RCPT TO:<bob@example.test>")).isEqualTo(550);
            assertThat(smtp.getReplyString()).isEqualTo("550 5.1.1 no such user here\r\n");
            assertThat(smtp.sendCommand("RCPT TO:<ann@example.test>")).isEqualTo(250);
            assertThat(smtp.sendShortMessageData("Subject: one of two\r\n\r\nx\r\n")).isTrue();
        } finally {
            smtp.disconnect();
        }
        assertThat(mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(10)).get(0).envelope().recipients())
                .containsExactly("ann@example.test");
    }

    @Test
    void anyCodeAtConnectHeloMailAndData() throws Exception {
        mail.faults().smtp(Faults.CONNECT).times(1).replyAndClose("554 5.3.2 not now");
        SMTPSClient refused = mail.smtpClient();
        assertThat(refused.getReplyCode()).isEqualTo(554);
        refused.disconnect();

        mail.faults().smtp(Faults.HELO).times(1).reply("501 5.5.4 who are you");
        mail.faults().smtp(Faults.MAIL).times(1).reply("451 4.3.0 queue full");
        mail.faults().smtp(Faults.DATA).times(1).reply("554 5.6.0 no content today");
        SMTPSClient smtp = mail.smtpClient();
        try {
            assertThat(smtp.sendCommand("EHLO client.test")).isEqualTo(501);
            assertThat(smtp.sendCommand("EHLO client.test")).isEqualTo(250);
            assertThat(smtp.sendCommand("MAIL FROM:<x@elsewhere.test>")).isEqualTo(451);
            assertThat(smtp.sendCommand("RCPT TO:<ann@example.test>")).as("MAIL was refused: no transaction").isEqualTo(503);
            assertThat(smtp.sendCommand("MAIL FROM:<x@elsewhere.test>")).isEqualTo(250);
            assertThat(smtp.sendCommand("RCPT TO:<ann@example.test>")).isEqualTo(250);
            assertThat(smtp.sendCommand("DATA")).isEqualTo(554);
            assertThat(smtp.sendCommand("DATA")).isEqualTo(354);
        } finally {
            smtp.disconnect();
        }
    }

    @Test
    void aReplyAtTheEndOfDataStoresNothing() throws Exception {
        mail.faults().smtp(Faults.END_OF_DATA).times(1).reply("452 4.3.1 insufficient system storage");
        SMTPSClient smtp = mx();
        try {
            smtp.sendCommand("MAIL FROM:<x@elsewhere.test>");
            smtp.sendCommand("RCPT TO:<ann@example.test>");
            assertThat(smtp.sendShortMessageData("Subject: refused\r\n\r\nx\r\n")).isFalse();
            assertThat(smtp.getReplyCode()).isEqualTo(452);
            assertThat(smtp.sendCommand("MAIL FROM:<x@elsewhere.test>")).as("the transaction is over").isEqualTo(250);
            smtp.sendCommand("RCPT TO:<ann@example.test>");
            assertThat(smtp.sendShortMessageData("Subject: accepted\r\n\r\nx\r\n")).isTrue();
        } finally {
            smtp.disconnect();
        }
        assertThat(mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(10)))
                .extracting(ReceivedMessage::subject).containsExactly("accepted");
    }

    @Test
    void aConnectionDroppedInTheMiddleOfDataStoresNothing() throws Exception {
        mail.faults().smtp(Faults.DATA).times(1).disconnectAfterReceived(10);
        SMTPSClient smtp = mx();
        try {
            smtp.sendCommand("MAIL FROM:<x@elsewhere.test>");
            smtp.sendCommand("RCPT TO:<ann@example.test>");
            assertThatThrownBy(() -> smtp.sendShortMessageData("Subject: cut\r\n\r\n" + "x".repeat(10_000) + "\r\n"))
                    .isInstanceOf(IOException.class);
        } finally {
            smtp.disconnect();
        }
        send("after the cut");
        assertThat(mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10))).hasSize(1);
        assertThat(mail.transactions()).hasSize(1);
    }

    @Test
    void aDelayedStageThenGoesOnNormally() throws Exception {
        mail.faults().smtp(Faults.MAIL).times(1).delay(Duration.ofMillis(300));
        send("delayed");
        assertThat(mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10))).hasSize(1);
    }

    @Test
    void authAndDisconnectFaults() throws Exception {
        mail.faults().smtp(Faults.AUTH).times(1).reply("454 4.7.0 temporary authentication failure");
        assertThatThrownBy(() -> send("x")).isInstanceOf(MessagingException.class).hasMessageContaining("454");

        mail.faults().smtp(Faults.RCPT).times(1).disconnect();
        assertThatThrownBy(() -> send("x")).isInstanceOf(MessagingException.class);

        send("third time");
        assertThat(mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10))).hasSize(1);
    }

    @Test
    void failedTlsHandshakes() throws Exception {
        mail.faults().smtp(Faults.STARTTLS).times(1).failTls();
        assertThatThrownBy(() -> send("x")).isInstanceOf(MessagingException.class)
                .hasMessageContaining("Could not convert socket to TLS");

        mail.faults().smtp(Faults.TLS).times(1).failTls();
        jakarta.mail.Session smtps = mail.smtpsSession("ann@example.test", "ann-secret");
        assertThatThrownBy(() -> smtps.getTransport().connect()).isInstanceOf(MessagingException.class);

        mail.faults().pop3(Faults.STLS).times(1).failTls();
        POP3SClient pop3 = mail.pop3Client();
        try {
            assertThatThrownBy(pop3::execTLS).isInstanceOf(IOException.class);
        } finally {
            pop3.disconnect();
        }
        send("after the failures");
        assertThat(mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10))).hasSize(1);
    }

    @Test
    void aFailedPop3sHandshakeFailsThatConnectionOnlyAndTheNextLogsIn() throws Exception {
        send("kept");
        mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10));
        mail.faults().pop3(Faults.TLS).times(1).failTls();

        jakarta.mail.Store failing = mail.pop3sSession("bob@example.test", "bob-secret").getStore();
        assertThatThrownBy(failing::connect).isInstanceOf(MessagingException.class);

        jakarta.mail.Store store = mail.pop3sSession("bob@example.test", "bob-secret").getStore();
        store.connect();
        try {
            jakarta.mail.Folder inbox = store.getFolder("INBOX");
            inbox.open(jakarta.mail.Folder.READ_ONLY);
            assertThat(inbox.getMessages()).extracting(Message::getSubject).containsExactly("kept");
            inbox.close(false);
        } finally {
            store.close();
        }
    }

    @Test
    void pop3RetrOfOneMessageFailsTemporarily() throws Exception {
        send("first");
        send("second");
        mail.awaitMessages("bob@example.test", 2, Duration.ofSeconds(10));
        mail.faults().pop3(Faults.RETR).argument("2").times(1).reply("-ERR [SYS/TEMP] try again later");

        POP3SClient pop3 = loggedIn();
        try {
            assertThat(read(pop3.retrieveMessage(1))).contains("Subject: first");
            assertThat(pop3.retrieveMessage(2)).isNull();
            assertThat(pop3.getReplyString()).startsWith("-ERR [SYS/TEMP] try again later");
            assertThat(read(pop3.retrieveMessage(2))).contains("Subject: second");
        } finally {
            pop3.disconnect();
        }
    }

    @Test
    void aConnectionDroppedInTheMiddleOfRetrDeletesNothing() throws Exception {
        send("to delete");
        send("cut short");
        mail.awaitMessages("bob@example.test", 2, Duration.ofSeconds(10));
        mail.faults().pop3(Faults.RETR).argument("2").times(1).disconnectAfterSent(40);

        POP3SClient pop3 = loggedIn();
        try {
            assertThat(pop3.deleteMessage(1)).isTrue();
            Reader partial = pop3.retrieveMessage(2);
            assertThat(partial).as("the status line came").isNotNull();
            String got;
            try {
                got = read(partial);
            } catch (IOException e) {
                got = ""; // a reset: the same lesson
            }
            assertThat(got).as("the connection dropped inside the message").startsWith("Return-Path:")
                    .doesNotContain("Subject: cut short");
        } finally {
            pop3.disconnect();
        }

        POP3SClient again = loggedIn();
        try {
            POP3MessageInfo status = again.status();
            assertThat(status.number).as("the DELE without QUIT changed nothing").isEqualTo(2);
        } finally {
            again.disconnect();
        }
    }

    private POP3SClient loggedIn() throws IOException {
        POP3SClient pop3 = mail.pop3Client();
        assertThat(pop3.execTLS()).isTrue();
        assertThat(pop3.login("bob@example.test", "bob-secret")).isTrue();
        return pop3;
    }

    private static String read(Reader r) throws IOException {
        StringBuilder b = new StringBuilder();
        char[] buf = new char[4096];
        int n;
        while ((n = r.read(buf)) >= 0) {
            b.append(buf, 0, n);
        }
        return b.toString();
    }
}
