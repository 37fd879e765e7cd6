package dev.mailwright.smtp.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.srs.SenderRewriting;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.QueueItem;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 22, backscatter (ADR 0027): the MX rewrites the sender of mail an alias forwards off-site
 * (SRS), takes bounces to those addresses back to the original sender, and refuses forged or
 * expired ones. Real sockets, the in-memory store; the forwarding domain is the server's name,
 * which is not one of the hosted domains.
 */
class SenderRewritingOverSocketsTest {

    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(UTF_8);
    private static final Address VICTIM = Address.parse("victim@elsewhere.test");

    private final MailStore store = SessionHarness.fixtureStore();
    private final SenderRewriting srs = new SenderRewriting(SECRET, "mx.example.org", Duration.ofDays(21),
            Clock.systemUTC());
    private SmtpServer server;

    @BeforeEach
    void start() {
        server = SmtpServer.builder().hostname("mx.example.org").store(store).senderRewriting(srs).mx(0).start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    /** One transaction on the MX, unauthenticated; returns the reply to RCPT (and sends the message if it was 250). */
    private String send(String from, String to) throws IOException {
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX))) {
            assertThat(c.reply()).startsWith("220 ");
            c.write("EHLO client.example\r\n");
            assertThat(c.reply()).startsWith("250");
            c.write("MAIL FROM:<" + from + ">" + (from.isEmpty() ? "" : " RET=FULL") + "\r\n");
            assertThat(c.reply()).startsWith("250");
            c.write("RCPT TO:<" + to + ">\r\n");
            String rcpt = c.reply();
            if (rcpt.startsWith("250")) {
                c.write("DATA\r\n");
                assertThat(c.reply()).startsWith("354");
                c.write("From: " + (from.isEmpty() ? "MAILER-DAEMON@remote.test" : from)
                        + "\r\nSubject: test\r\n\r\nthe body\r\n.\r\n");
                assertThat(c.reply()).startsWith("250");
            }
            c.write("QUIT\r\n");
            return rcpt;
        }
    }

    private int count(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            return drop.messages().size();
        }
    }

    @Test
    void unauthenticatedMailToAForwardingAliasIsQueuedWithAnSrsSender() throws IOException {
        send(VICTIM.toString(), "forward@example.org");

        List<QueueItem> queued = store.queue().list();
        assertThat(queued).hasSize(1);
        QueueItem item = queued.get(0);
        assertThat(item.recipient().address()).isEqualTo(Address.parse("someone@elsewhere.test"));
        Address sender = item.envelope().reversePath().orElseThrow();
        assertThat(sender.toString()).matches("SRS0=[A-Za-z0-9+/]{6}=[A-Z2-7]{2}=elsewhere\\.test=victim@mx\\.example\\.org");
        assertThat(item.envelope().authenticated()).isEmpty();
        assertThat(srs.reverse(sender)).isEqualTo(new SenderRewriting.Reversed.Original(VICTIM));
    }

    @Test
    void bounceToTheSrsAddressIsQueuedForTheOriginalSender() throws IOException {
        Address rewritten = srs.forward(VICTIM).orElseThrow();

        assertThat(send("", rewritten.toString())).startsWith("250");

        List<QueueItem> queued = store.queue().list();
        assertThat(queued).hasSize(1);
        assertThat(queued.get(0).recipient().address()).isEqualTo(VICTIM);
        assertThat(queued.get(0).envelope().reversePath()).as("a bounce stays a bounce").isEmpty();
    }

    @Test
    void bounceToTheSrsAddressOfALocalSenderReachesItsMailbox() throws IOException {
        Address rewritten = srs.forward(Address.parse("alice@example.org")).orElseThrow();
        int before = count("alice@example.org");

        assertThat(send("", rewritten.toString().toUpperCase(java.util.Locale.ROOT))).startsWith("250");

        assertThat(count("alice@example.org")).isEqualTo(before + 1);
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void forgedSrsAddressIsRefused() throws IOException {
        String forged = "SRS0=AAAAAA=" + srs.forward(VICTIM).orElseThrow().localPart().split("=")[2]
                + "=elsewhere.test=victim@mx.example.org";

        assertThat(send("", forged)).startsWith("550 5.1.1");
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void expiredSrsAddressIsRefused() throws IOException {
        Clock monthAgo = Clock.fixed(Instant.now().minus(Duration.ofDays(30)), ZoneOffset.UTC);
        Address old = new SenderRewriting(SECRET, "mx.example.org", Duration.ofDays(21), monthAgo)
                .forward(VICTIM).orElseThrow();

        assertThat(send("", old.toString())).startsWith("550 5.1.1");
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void forwardingDomainOpensNoRelayForOtherAddresses() throws IOException {
        assertThat(send(VICTIM.toString(), "anyone@mx.example.org")).startsWith("550 5.7.1");
        assertThat(send(VICTIM.toString(), "anyone@elsewhere.test")).startsWith("550 5.7.1");
        assertThat(store.queue().list()).isEmpty();
    }

    @Test
    void mailForLocalMailboxesIsNotRewrittenAwayFromThem() throws IOException {
        int before = count("bob@example.org");

        assertThat(send(VICTIM.toString(), "bob@example.org")).startsWith("250");

        assertThat(count("bob@example.org")).isEqualTo(before + 1);
    }
}
