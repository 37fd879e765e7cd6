package dev.mailwright.it.journey;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.MailClients.SmtpWay;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.store.Address;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.postgres.testing.TestDatabases;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The journeys of the issue, on one in-process server over PostgreSQL, set up only through the
 * admin commands and driven only by real clients: Jakarta Mail submits (STARTTLS + AUTH,
 * implicit TLS + AUTH, plain MX), Commons Net fetches (STLS, implicit TLS) and speaks raw SMTP
 * where the exact reply code matters.
 */
@Timeout(180)
class MailJourneyTest {

    @TempDir
    static Path dataDir;

    private static Map<String, String> env;
    private static MailwrightServer server;
    private static Map<String, Integer> ports;

    @BeforeAll
    static void start() {
        env = TestServers.env(dataDir, TestDatabases.fresh());
        server = TestServers.start(env);
        ports = server.ports();
        admin(env, null, "domain", "add", "example.org");
        addUser(env, "alice@example.org", "alice-password-1");
        addUser(env, "bob@example.org", "bob-password-22");
        addUser(env, "carol@example.org", "carol-password-333");
        addUser(env, "dave@example.org", "dave-password-4444");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static void send(SmtpWay way, String from, String password, String subject, String text, String... to)
            throws Exception {
        Session session = MailClients.smtpSession(way, ports);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        for (String t : to) {
            m.addRecipient(Message.RecipientType.TO, new InternetAddress(t));
        }
        m.setSubject(subject);
        m.setText(text, "UTF-8");
        m.saveChanges();
        try (Transport t = session.getTransport(way.protocol())) {
            if (way.authenticated) {
                t.connect(from, password);
            } else {
                t.connect();
            }
            t.sendMessage(m, m.getAllRecipients());
        }
    }

    private static int count(String user) {
        return (int) server.store().accounts().get(Address.parse(user)).orElseThrow().usage().messages();
    }

    @Test
    void aliceSubmitsToBobAndOutsideBobFetchesWithTopUidlRetrThenDeletesAndItIsGone() throws Exception {
        send(SmtpWay.SUBMISSION_STARTTLS, "alice@example.org", "alice-password-1", "lunch on friday",
                "Bob, lunch on friday?\nAlice\n", "bob@example.org", "friend@external.test");

        // the external copy waits in the outbound queue (the outbound worker is disabled here)
        List<QueueItem> queued = server.store().queue().list();
        assertThat(queued).extracting(q -> q.recipient().address().toString()).containsExactly("friend@external.test");
        assertThat(queued.get(0).envelope().reversePath()).hasValueSatisfying(
                s -> assertThat(s.toString()).isEqualTo("alice@example.org"));
        String queuedContent = new String(server.store().queue().openContent(queued.get(0).messageId()).readAllBytes(),
                StandardCharsets.UTF_8);
        assertThat(queuedContent).contains("Subject: lunch on friday");

        POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, ports, "bob@example.org", "bob-password-22");
        POP3MessageInfo status = pop3.status();
        assertThat(status.number).isEqualTo(1);
        POP3MessageInfo[] uidls = pop3.listUniqueIdentifiers();
        assertThat(uidls).hasSize(1);
        String uidl = uidls[0].identifier;
        assertThat(uidl).isNotBlank();
        POP3MessageInfo[] sizes = pop3.listMessages();
        String top = MailClients.readAll(pop3.retrieveMessageTop(1, 0));
        assertThat(top).contains("Subject: lunch on friday").contains("Received: from").doesNotContain("lunch on friday?");
        String full = MailClients.readAll(pop3.retrieveMessage(1));
        assertThat(full).contains("Subject: lunch on friday").contains("Bob, lunch on friday?\r\nAlice\r\n");
        // LIST gives the exact octet count of what RETR sends
        assertThat(full.getBytes(StandardCharsets.UTF_8)).hasSize(sizes[0].size);
        assertThat(queuedContent.replace("\r\n", "\n")).isEqualTo(full.replace("\r\n", "\n"));
        assertThat(pop3.deleteMessage(1)).isTrue();
        assertThat(pop3.logout()).as("QUIT commits the deletion").isTrue();
        pop3.disconnect();

        assertThat(count("bob@example.org")).isZero();
        POP3Client again = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, "bob@example.org", "bob-password-22");
        assertThat(again.status().number).isZero();
        assertThat(again.listUniqueIdentifier(1)).isNull();
        again.logout();
        again.disconnect();
    }

    @Test
    void submissionOverImplicitTlsDelivers() throws Exception {
        send(SmtpWay.SUBMISSIONS_IMPLICIT_TLS, "carol@example.org", "carol-password-333", "over 465",
                "sent over implicit TLS\n", "alice@example.org");
        POP3Client pop3 = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, "alice@example.org", "alice-password-1");
        String text = MailClients.readAll(pop3.retrieveMessage(1));
        assertThat(text).contains("Subject: over 465").contains("sent over implicit TLS").contains("ESMTPSA");
        pop3.deleteMessage(1);
        pop3.logout();
        pop3.disconnect();
    }

    @Test
    void aliasAndCatchAllDeliverMailFromOutside() throws Exception {
        admin(env, null, "alias", "add", "sales@example.org", "bob@example.org", "carol@example.org");
        admin(env, null, "alias", "add", "@example.org", "carol@example.org");
        int bob = count("bob@example.org");
        int carol = count("carol@example.org");

        send(SmtpWay.MX_PLAIN, "customer@outside.test", null, "a question for sales", "how much?\n", "sales@example.org");
        send(SmtpWay.MX_STARTTLS, "customer@outside.test", null, "to nobody in particular", "anyone?\n",
                "whoever@example.org");

        assertThat(count("bob@example.org")).isEqualTo(bob + 1);
        assertThat(count("carol@example.org")).isEqualTo(carol + 2);
        POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, ports, "carol@example.org", "carol-password-333");
        StringBuilder all = new StringBuilder();
        for (POP3MessageInfo info : pop3.listMessages()) {
            all.append(MailClients.readAll(pop3.retrieveMessage(info.number)));
            pop3.deleteMessage(info.number);
        }
        pop3.logout();
        pop3.disconnect();
        assertThat(all.toString()).contains("Subject: a question for sales").contains("Subject: to nobody in particular")
                .contains("with ESMTPS"); // the catch-all message came over STARTTLS
        // an existing mailbox still wins over the catch-all
        assertThat(server.store().recipients().resolve(Address.parse("alice@example.org")).local())
                .extracting(r -> r.mailbox().toString()).containsExactly("alice@example.org");
    }

    @Test
    void aFullMailboxIsRefusedAtRcptWithATemporaryCode() throws Exception {
        admin(env, null, "quota", "set", "dave@example.org", "--messages", "1");
        send(SmtpWay.MX_PLAIN, "someone@outside.test", null, "fills the mailbox", "one\n", "dave@example.org");
        assertThat(count("dave@example.org")).isEqualTo(1);

        SMTPClient smtp = new SMTPClient();
        smtp.setDefaultTimeout(30_000);
        smtp.connect("127.0.0.1", ports.get("smtp"));
        try {
            assertThat(smtp.helo("client.outside.test")).isEqualTo(250);
            assertThat(smtp.setSender("someone@outside.test")).isTrue();
            assertThat(smtp.addRecipient("dave@example.org")).isFalse();
            assertThat(smtp.getReplyCode()).isEqualTo(452);
            assertThat(smtp.getReplyString()).startsWith("452 4.2.2");
            // the other recipients of the same transaction are still taken
            assertThat(smtp.addRecipient("alice@example.org")).as(smtp.getReplyString()).isTrue();
            smtp.logout();
        } finally {
            smtp.disconnect();
        }
        assertThat(count("dave@example.org")).isEqualTo(1);
        assertThat(admin(env, null, "quota", "show", "dave@example.org")).contains("1");
    }

    @Test
    void aMessageDeclaredLargerThanTheRoomLeftIsRefusedAtRcpt() throws Exception {
        addUser(env, "erin@example.org", "erin-password-55555");
        admin(env, null, "quota", "set", "erin@example.org", "--bytes", "64K");
        SMTPClient smtp = new SMTPClient();
        smtp.setDefaultTimeout(30_000);
        smtp.connect("127.0.0.1", ports.get("smtp"));
        try {
            assertThat(smtp.sendCommand("EHLO", "client.outside.test")).isEqualTo(250);
            assertThat(smtp.getReplyString()).contains("SIZE");
            assertThat(smtp.sendCommand("MAIL", "FROM:<someone@outside.test> SIZE=100000")).isEqualTo(250);
            assertThat(smtp.sendCommand("RCPT", "TO:<erin@example.org>")).isEqualTo(452);
            assertThat(smtp.getReplyString()).startsWith("452 4.2.2");
            assertThat(smtp.sendCommand("RSET")).isEqualTo(250);
            // what fits is taken
            assertThat(smtp.sendCommand("MAIL", "FROM:<someone@outside.test> SIZE=1000")).isEqualTo(250);
            assertThat(smtp.sendCommand("RCPT", "TO:<erin@example.org>")).isEqualTo(250);
            smtp.logout();
        } finally {
            smtp.disconnect();
        }
    }

    @Test
    void plainPop3RefusesAPasswordBeforeStls() throws Exception {
        POP3Client plain = new POP3Client();
        plain.setDefaultTimeout(30_000);
        plain.connect("127.0.0.1", ports.get("pop3"));
        try {
            assertThat(plain.login("bob@example.org", "bob-password-22")).isFalse();
            assertThat(plain.getReplyString()).startsWith("-ERR");
        } finally {
            plain.disconnect();
        }
    }
}
