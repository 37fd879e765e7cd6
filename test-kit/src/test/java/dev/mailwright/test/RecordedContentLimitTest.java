package dev.mailwright.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.store.Address;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copies of received content the kit keeps are bounded; the mailboxes are not. */
class RecordedContentLimitTest {

    private static final long LIMIT = 4000;

    private static void send(MailwrightExtension mail, String subject, int bodyOctets) throws Exception {
        Submit.send(mail, "ann@example.test", "ann-secret", "bob@example.test", subject, "x".repeat(bodyOctets));
    }

    @Test
    void pastTheLimitTheOldestLoseTheirContentAndALargerMessageIsNeverCopied() throws Exception {
        try (MailwrightExtension mail = MailwrightExtension.create()
                .withUser("ann@example.test", "ann-secret")
                .withUser("bob@example.test", "bob-secret")
                .withRecordedContentLimit(LIMIT)
                .start()) {
            for (int i = 1; i <= 4; i++) {
                send(mail, "message " + i, 1000);
                mail.awaitMessages("bob@example.test", i, Duration.ofSeconds(10));
            }
            List<ReceivedMessage> got = mail.receivedMessages();
            assertThat(got.get(0).hasContent()).as("the oldest").isFalse();
            assertThat(got.get(3).hasContent()).as("the newest").isTrue();
            assertThat(got.get(3).subject()).isEqualTo("message 4");
            assertThat(got.stream().filter(ReceivedMessage::hasContent).mapToLong(ReceivedMessage::size).sum())
                    .isLessThanOrEqualTo(LIMIT);
            assertThat(got).allSatisfy(m -> assertThat(m.size()).isGreaterThan(1000));
            assertThat(got).extracting(m -> m.envelope().mailFrom().orElseThrow()).containsOnly("ann@example.test");
            assertThatThrownBy(got.get(0)::raw).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("withRecordedContentLimit");

            send(mail, "too large to copy", 10_000);
            ReceivedMessage large = mail.awaitMessages("bob@example.test", 5, Duration.ofSeconds(10)).get(4);
            assertThat(large.hasContent()).isFalse();
            assertThat(large.size()).isGreaterThan(10_000);
            assertThat(mail.receivedMessages().get(3).hasContent()).as("kept: the large one took nothing").isTrue();

            // the mailbox itself keeps everything
            long bob = mail.store().accounts().get(Address.parse("bob@example.test")).orElseThrow().id();
            assertThat(mail.store().mailboxes().list(bob)).hasSize(5);
            assertThat(mail.store().mailboxes().list(bob).get(4).size()).isEqualTo(large.size());
        }
    }
}
