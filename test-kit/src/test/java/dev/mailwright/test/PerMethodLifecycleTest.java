package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.store.MailStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code withPerMethodLifecycle()} on a static field: every test gets servers and a store of its
 * own, with the configured users, and the servers of a test are gone after it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PerMethodLifecycleTest {

    @RegisterExtension
    static MailwrightExtension mail = MailwrightExtension.create()
            .withUser("ann@example.test", "ann-secret")
            .withPerMethodLifecycle();

    private static MailStore firstStore;
    private static final List<Integer> firstPorts = new ArrayList<>();

    private static void send(String subject) throws Exception {
        Submit.send(mail, "ann@example.test", "ann-secret", "ann@example.test", subject, "body");
    }

    @Test
    @Order(1)
    void theFirstTestReceivesMail() throws Exception {
        firstStore = mail.store();
        firstPorts.addAll(List.of(mail.smtpPort(), mail.submissionPort(), mail.smtpsPort(), mail.pop3Port(),
                mail.pop3sPort()));
        send("first");
        assertThat(mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(10))).hasSize(1);
    }

    @Test
    @Order(2)
    void theSecondTestStartsFromAFreshServerWithTheSameUsers() throws Exception {
        assertThat(mail.store()).isNotSameAs(firstStore);
        // the first test's servers were closed after it: their ports are free
        List<Integer> now = List.of(mail.smtpPort(), mail.submissionPort(), mail.smtpsPort(), mail.pop3Port(),
                mail.pop3sPort());
        for (int port : firstPorts) {
            if (!now.contains(port)) { // a free port may be picked again by the new servers
                assertThat(LifecycleTest.free(port)).as("port %d of the first test", port).isTrue();
            }
        }
        assertThat(mail.receivedMessages()).isEmpty();
        assertThat(mail.transactions()).isEmpty();
        send("second");
        assertThat(mail.awaitMessages("ann@example.test", 1, Duration.ofSeconds(10)))
                .extracting(ReceivedMessage::subject).containsExactly("second");
    }

    @AfterAll
    static void closedAfterTheLastTest() {
        // afterEach closed the servers; afterAll found nothing more to close
        org.assertj.core.api.Assertions.assertThatThrownBy(mail::store).isInstanceOf(IllegalStateException.class);
    }
}
