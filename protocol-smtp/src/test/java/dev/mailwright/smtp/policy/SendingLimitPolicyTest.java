package dev.mailwright.smtp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.password.PasswordHashing;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.RawClient;
import dev.mailwright.smtp.testing.SessionHarness;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Per-account sending limits over real sockets: submission and MX listeners on free ports, raw SMTP clients. */
class SendingLimitPolicyTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T10:15:00Z"));
    private final MailStore counters = new InMemoryMailStore(clock, new PasswordHashing());
    private final List<String> hits = new CopyOnWriteArrayList<>();
    private SmtpServer server;

    @BeforeEach
    void start() {
        MailStore store = SessionHarness.fixtureStore();
        Map<String, SendingLimitPolicy.Limits> overrides = Map.of("bob@example.org", new SendingLimitPolicy.Limits(0, 50));
        server = SmtpServer.builder().hostname("mx.example.org").store(store)
                .settings(b -> b.authWithoutTls(true))
                .policy(new SendingLimitPolicy(counters.rateCounters(),
                        user -> overrides.getOrDefault(user, new SendingLimitPolicy.Limits(2, 3)), clock,
                        (user, limit) -> hits.add(user + " " + limit)))
                .mx(0).submission(0).start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RawClient login(String user, String password) throws Exception {
        RawClient c = new RawClient(server.port(SmtpSettings.Mode.SUBMISSION));
        c.reply();
        c.write("EHLO client.example\r\n").reply();
        String plain = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        assertThat(c.write("AUTH PLAIN " + plain + "\r\n").reply()).startsWith("235");
        return c;
    }

    @Test
    void recipientsPastTheHourlyLimitShouldBeTempFailedAndReported() throws Exception {
        try (RawClient c = login("alice@example.org", SessionHarness.ALICE_PASSWORD)) {
            assertThat(c.write("MAIL FROM:<alice@example.org>\r\n").reply()).startsWith("250");
            for (String to : List.of("bob@example.org", "one@elsewhere.test", "two@elsewhere.test")) {
                assertThat(c.write("RCPT TO:<" + to + ">\r\n").reply()).startsWith("250");
            }
            assertThat(c.write("RCPT TO:<three@elsewhere.test>\r\n").reply())
                    .isEqualTo("451 4.7.1 Sending limit reached: at most 3 recipients per hour, please try again later");
        }
        assertThat(hits).containsExactly("alice@example.org recipients");
    }

    @Test
    void messagesPastTheHourlyLimitShouldBeTempFailedUntilTheNextHourOnEveryConnection() throws Exception {
        try (RawClient c = login("alice@example.org", SessionHarness.ALICE_PASSWORD)) {
            assertThat(c.write("MAIL FROM:<alice@example.org>\r\n").reply()).startsWith("250");
            assertThat(c.write("RSET\r\n").reply()).startsWith("250");
            assertThat(c.write("MAIL FROM:<alice@example.org>\r\n").reply()).startsWith("250");
            assertThat(c.write("RSET\r\n").reply()).startsWith("250");
        }
        try (RawClient c = login("alice@example.org", SessionHarness.ALICE_PASSWORD)) {
            assertThat(c.write("MAIL FROM:<alice@example.org>\r\n").reply())
                    .isEqualTo("451 4.7.1 Sending limit reached: at most 2 messages per hour, please try again later");
            clock.advance(Duration.ofMinutes(45)); // 11:00, the next hour
            assertThat(c.write("MAIL FROM:<alice@example.org>\r\n").reply()).startsWith("250");
        }
        assertThat(hits).containsExactly("alice@example.org messages");
    }

    @Test
    void anAccountsOwnLimitsShouldWinAndZeroShouldMeanNoLimit() throws Exception {
        try (RawClient c = login("bob@example.org", "bob-password")) {
            for (int i = 0; i < 5; i++) {
                assertThat(c.write("MAIL FROM:<bob@example.org>\r\n").reply()).startsWith("250");
                assertThat(c.write("RCPT TO:<friend" + i + "@elsewhere.test>\r\n").reply()).startsWith("250");
                assertThat(c.write("RSET\r\n").reply()).startsWith("250");
            }
        }
        assertThat(hits).isEmpty();
    }

    @Test
    void unauthenticatedMxMailShouldNotBeCounted() throws Exception {
        try (RawClient c = new RawClient(server.port(SmtpSettings.Mode.MX))) {
            c.reply();
            c.write("EHLO client.example\r\n").reply();
            for (int i = 0; i < 4; i++) {
                assertThat(c.write("MAIL FROM:<someone@elsewhere.test>\r\n").reply()).startsWith("250");
                assertThat(c.write("RCPT TO:<alice@example.org>\r\n").reply()).startsWith("250");
                assertThat(c.write("RSET\r\n").reply()).startsWith("250");
            }
        }
        assertThat(hits).isEmpty();
    }
}
