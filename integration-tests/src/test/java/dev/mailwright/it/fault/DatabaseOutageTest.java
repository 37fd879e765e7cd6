package dev.mailwright.it.fault;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.ControlledPostgres;
import dev.mailwright.it.support.Eventually;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.TestMessages;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.server.MailwrightServer;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * PostgreSQL stops while an SMTP transaction and a POP3 session are open: the end of DATA gets
 * {@code 451 4.3.0} and nothing is stored, new recipients get 451, POP3 commands get
 * {@code -ERR [SYS/TEMP]}, {@code /readyz} says not ready. When PostgreSQL is back the same
 * sessions carry on by themselves (nobody restarts the server): the refused message, sent
 * again as an MTA would, is stored exactly once, and the message from before the outage is
 * retrieved intact and deleted at QUIT.
 */
@Timeout(300)
class DatabaseOutageTest {

    private static final Duration RECOVERY = Duration.ofSeconds(90);

    @TempDir
    Path dataDir;

    private static int readyz(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anOutageGivesTemporaryErrorsAndTheServiceReturnsByItselfWithNothingLostOrDuplicated() throws Exception {
        try (ControlledPostgres pg = ControlledPostgres.start()) {
            Map<String, String> env = TestServers.env(dataDir, pg.jdbcUrl(), pg.user(), pg.password());
            try (MailwrightServer server = TestServers.start(env)) {
                Map<String, Integer> ports = server.ports();
                admin(env, null, "domain", "add", "example.org");
                addUser(env, "bob@example.org", "bob-password-22");
                Random random = new Random(451);
                String before = TestMessages.build("before", "sender@outside.test", "bob@example.org", 5_000, random);
                String during = TestMessages.build("during", "sender@outside.test", "bob@example.org", 200_000, random);

                SMTPClient smtp = MailClients.mx(ports);
                assertThat(MailClients.transaction(smtp, "bob@example.org", before)).startsWith("250");

                POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, ports, "bob@example.org", "bob-password-22");
                assertThat(pop3.status().number).isEqualTo(1);

                // a transaction is under way when PostgreSQL goes
                assertThat(smtp.setSender("sender@outside.test")).isTrue();
                assertThat(smtp.addRecipient("bob@example.org")).isTrue();
                Writer data = smtp.sendMessageData();
                assertThat(data).isNotNull();
                data.write(during);
                data.flush();
                pg.down();

                data.close();
                smtp.completePendingCommand();
                assertThat(smtp.getReplyString()).startsWith("451 4.3.0");
                // a new transaction in the same session: the recipient cannot be checked
                assertThat(smtp.setSender("sender@outside.test")).isTrue();
                assertThat(smtp.addRecipient("bob@example.org")).isFalse();
                assertThat(smtp.getReplyString()).startsWith("451 4.3.0");
                smtp.reset();

                assertThat(pop3.retrieveMessage(1)).isNull();
                assertThat(pop3.getReplyString()).startsWith("-ERR [SYS/TEMP]");
                assertThat(readyz(ports.get("metrics"))).isEqualTo(503);

                pg.up();

                // the same sessions recover: the MTA retries its message, the POP3 client its RETR
                List<String> retryReplies = new ArrayList<>();
                Eventually.until("SMTP accepts the retried message", RECOVERY, () -> {
                    String reply = MailClients.transaction(smtp, "bob@example.org", during);
                    retryReplies.add(reply.trim());
                    return reply.startsWith("250");
                });
                assertThat(retryReplies).allSatisfy(r -> assertThat(r).matches("(250|451 4\\.3\\.0) .*"));
                smtp.logout();
                smtp.disconnect();
                String retrieved = Eventually.await("POP3 RETR works again in the same session", RECOVERY,
                        () -> {
                            Reader r = pop3.retrieveMessage(1);
                            return r == null ? null : MailClients.readAll(r);
                        });
                assertThat(TestMessages.sha256(TestMessages.withoutTrace(retrieved)))
                        .isEqualTo(TestMessages.sha256(before));
                assertThat(pop3.deleteMessage(1)).isTrue();
                assertThat(pop3.logout()).as(pop3.getReplyString()).isTrue();
                pop3.disconnect();
                assertThat(readyz(ports.get("metrics"))).isEqualTo(200);

                // exactly the retried message is left: the one refused with 451 was not stored
                POP3Client check = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, ports, "bob@example.org",
                        "bob-password-22");
                POP3MessageInfo[] left = check.listMessages();
                assertThat(left).hasSize(1);
                String kept = MailClients.readAll(check.retrieveMessage(left[0].number));
                assertThat(TestMessages.identify(kept)).isEqualTo(new TestMessages.Identity("during", true));
                assertThat(TestMessages.sha256(TestMessages.withoutTrace(kept))).isEqualTo(TestMessages.sha256(during));
                check.logout();
                check.disconnect();
            }
        }
    }
}
