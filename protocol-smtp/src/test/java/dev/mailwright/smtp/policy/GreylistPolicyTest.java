package dev.mailwright.smtp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.store.Address;
import dev.mailwright.store.Greylist;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Greylisting over real sockets: an MX and a submission listener on free ports, raw SMTP clients. */
class GreylistPolicyTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:00:00Z"));
    private final MailStore triplets = new InMemoryMailStore(clock, new PasswordHashing());
    private final List<Greylist.Outcome> outcomes = new CopyOnWriteArrayList<>();
    private MailStore store;
    private SmtpServer server;

    @BeforeEach
    void start() {
        store = SessionHarness.fixtureStore();
        server = SmtpServer.builder().hostname("mx.example.org").store(store)
                .settings(b -> b.authWithoutTls(true))
                .policy(new GreylistPolicy(triplets.greylist(),
                        new Greylist.Rules(Duration.ofMinutes(5), Duration.ofHours(4), Duration.ofDays(35)), outcomes::add))
                .mx(0).submission(0).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** MAIL and RCPT from {@code source}; the RCPT reply. */
    private String rcpt(String source, String sender, String recipient) throws Exception {
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX), source)) {
            c.reply();
            c.write("EHLO client.example\r\n").reply();
            assertThat(c.write("MAIL FROM:<" + sender + ">\r\n").reply()).startsWith("250");
            String reply = c.write("RCPT TO:<" + recipient + ">\r\n").reply();
            if (reply.startsWith("250")) {
                assertThat(c.write("DATA\r\n").reply()).startsWith("354");
                assertThat(c.write("Subject: hi\r\n\r\nhello\r\n.\r\n").reply()).startsWith("250");
            }
            c.write("QUIT\r\n").reply();
            return reply;
        }
    }

    private int messages(String mailbox) {
        long id = store.accounts().get(Address.parse(mailbox)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            return drop.messages().size();
        }
    }

    @Test
    void firstAttemptShouldBeGreylistedAndARetryAfterTheDelayAccepted() throws Exception {
        int before = messages("alice@example.org");
        assertThat(rcpt("127.0.0.1", "sender@remote.test", "alice@example.org"))
                .isEqualTo("451 4.7.1 Greylisted: mail from a new sender is accepted when it is sent again; "
                        + "please try again in 5 minutes");
        clock.advance(Duration.ofMinutes(4));
        assertThat(rcpt("127.0.0.1", "sender@remote.test", "alice@example.org")).startsWith("451 4.7.1 Greylisted");
        clock.advance(Duration.ofMinutes(1));
        assertThat(rcpt("127.0.0.1", "sender@remote.test", "alice@example.org")).startsWith("250");
        assertThat(rcpt("127.0.0.7", "SENDER@remote.test", "Alice@example.org"))
                .as("another address of the same /24, the addresses in another case: the same triplet")
                .startsWith("250");
        assertThat(messages("alice@example.org")).isEqualTo(before + 2);
        assertThat(outcomes).containsExactly(Greylist.Outcome.NEW, Greylist.Outcome.TOO_EARLY, Greylist.Outcome.PASSED,
                Greylist.Outcome.KNOWN);
        assertThat(rcpt("127.0.0.1", "other@remote.test", "alice@example.org")).as("another sender")
                .startsWith("451 4.7.1");
        assertThat(rcpt("127.0.0.1", "sender@remote.test", "bob@example.org")).as("another recipient")
                .startsWith("451 4.7.1");
    }

    @Test
    void authenticatedSubmissionShouldNeverBeGreylisted() throws Exception {
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION))) {
            c.reply();
            c.write("EHLO client.example\r\n").reply();
            String plain = Base64.getEncoder().encodeToString(("\0alice@example.org\0" + SessionHarness.ALICE_PASSWORD)
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(c.write("AUTH PLAIN " + plain + "\r\n").reply()).startsWith("235");
            assertThat(c.write("MAIL FROM:<alice@example.org>\r\n").reply()).startsWith("250");
            assertThat(c.write("RCPT TO:<bob@example.org>\r\n").reply()).startsWith("250");
            assertThat(c.write("RCPT TO:<friend@elsewhere.test>\r\n").reply()).startsWith("250");
        }
        assertThat(outcomes).isEmpty();
    }

    @Test
    void clientNetworkShouldBeTheIpv4Slash24OrTheIpv6Slash64() throws Exception {
        assertThat(GreylistPolicy.network(InetAddress.getByName("192.0.2.77"))).isEqualTo("192.0.2.0/24");
        assertThat(GreylistPolicy.network(InetAddress.getByName("2001:db8:1:2:3:4:5:6"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(GreylistPolicy.network(InetAddress.getByName("2001:db8:1:2::9"))).isEqualTo("2001:db8:1:2::/64");
        assertThat(GreylistPolicy.network(InetAddress.getByName("::ffff:192.0.2.1"))).isEqualTo("192.0.2.0/24");
    }
}
