package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import java.time.Duration;
import org.apache.commons.net.pop3.POP3SClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code reset()} on servers started once for the class: empty mailboxes and queue, the same users. */
class ResetTest {

    @RegisterExtension
    static MailwrightExtension mail = MailwrightExtension.create()
            .withUser("ann@example.test", "ann-secret")
            .withUser("bob@example.test", "bob-secret");

    private static void send(String to, String subject) throws Exception {
        Submit.send(mail, "ann@example.test", "ann-secret", to, subject, "body");
    }

    @Test
    void resetEmptiesTheMailboxesAndTheQueueAndKeepsTheUsers() throws Exception {
        mail.addUser("carl@example.test", "carl-secret"); // added while running: kept too
        send("bob@example.test", "before");
        send("carl@example.test", "before");
        send("dora@remote.test", "before, to a remote domain");
        mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10));
        mail.awaitMessages("carl@example.test", 1, Duration.ofSeconds(10));
        assertThat(mail.outbound()).hasSize(1);

        mail.reset();

        MailStore store = mail.store();
        for (String user : new String[] {"ann@example.test", "bob@example.test", "carl@example.test"}) {
            long id = store.accounts().get(Address.parse(user)).orElseThrow().id();
            assertThat(store.mailboxes().list(id)).as(user + "'s mailbox").isEmpty();
            assertThat(store.accounts().get(id).orElseThrow().usage().messages()).as(user + "'s usage").isZero();
        }
        assertThat(mail.outbound()).isEmpty();
        assertThat(store.queue().size()).isZero();
        assertThat(mail.receivedMessages()).isEmpty();
        assertThat(mail.transactions()).isEmpty();

        // the same users log in, see an empty maildrop, and receive again
        POP3SClient pop3 = mail.pop3Client();
        try {
            assertThat(pop3.execTLS()).isTrue();
            assertThat(pop3.login("carl@example.test", "carl-secret")).isTrue();
            assertThat(pop3.status().number).isZero();
            pop3.logout();
        } finally {
            pop3.disconnect();
        }
        send("bob@example.test", "after");
        assertThat(mail.awaitMessages("bob@example.test", 1, Duration.ofSeconds(10)))
                .extracting(ReceivedMessage::subject).containsExactly("after");
    }
}
