package dev.mailwright.filter;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.filter.testing.Clients;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.store.Address;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FilteringMessageSinkTest {

    /** Records what reaches it. */
    private static final class RecordingSink implements MessageSink {
        final ByteArrayOutputStream content = new ByteArrayOutputStream();
        final List<String> events = new ArrayList<>();

        @Override
        public void recipient(RcptTo recipient) {
            if (recipient.address().localPart().equals("nobody")) {
                throw new SmtpRejection(SmtpReply.NO_SUCH_USER);
            }
            events.add("rcpt " + recipient.address());
        }

        @Override
        public boolean delivers() {
            return true;
        }

        @Override
        public OutputStream content() {
            return content;
        }

        @Override
        public String commit() {
            events.add("commit");
            return "stored";
        }

        @Override
        public void abort() {
            events.add("abort");
        }
    }

    private final List<FilterRequest> asked = new ArrayList<>();
    /** The content each request gave, read while the filter was asked (it is discarded after the commit). */
    private final List<String> seen = new ArrayList<>();

    private MessageSink open(RecordingSink sink, FilterVerdict verdict, boolean applies) {
        ContentFilter filter = request -> {
            asked.add(request);
            try (var in = request.content().get()) {
                seen.add(new String(in.readAllBytes(), US_ASCII));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return verdict;
        };
        return FilteringMessageSink.wrap((session, from) -> sink, filter, session -> applies)
                .open(Clients.mx("192.0.2.1", "client.example"), MailFrom.of(Optional.of(Address.parse("a@remote.test"))));
    }

    private static void write(MessageSink sink, String text) throws Exception {
        try (OutputStream out = sink.content()) {
            out.write(text.getBytes(US_ASCII));
        }
    }

    @Test
    void filterShouldSeeTheAcceptedRecipientsAndTheContentAndTheSinkTheEditedContent() throws Exception {
        RecordingSink sink = new RecordingSink();
        MessageSink filtered = open(sink, new FilterVerdict.Accept(List.of("X-Spam-Status: No"), List.of(),
                Optional.empty(), "clean"), true);
        filtered.recipient(RcptTo.of(Address.parse("alice@example.org")));
        assertThatThrownBy(() -> filtered.recipient(RcptTo.of(Address.parse("nobody@example.org"))))
                .isInstanceOf(SmtpRejection.class);
        write(filtered, "Subject: hi\r\n\r\nhello\r\n");
        assertThat(sink.content.size()).as("nothing reaches the sink before the filter answered").isZero();

        assertThat(filtered.commit()).isEqualTo("stored (clean)");
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).recipients()).extracting(r -> r.address().toString()).containsExactly("alice@example.org");
        assertThat(seen).containsExactly("Subject: hi\r\n\r\nhello\r\n");
        assertThat(asked.get(0).size()).isEqualTo(22);
        assertThat(sink.content.toString(US_ASCII)).isEqualTo("X-Spam-Status: No\r\nSubject: hi\r\n\r\nhello\r\n");
        assertThat(sink.events).containsExactly("rcpt alice@example.org", "commit");
    }

    @Test
    void refusalShouldBeTheReplyAndStoreNothing() throws Exception {
        RecordingSink sink = new RecordingSink();
        MessageSink filtered = open(sink, new FilterVerdict.Refuse(SmtpReply.of(550, "5.7.1", "spam"), "spam"), true);
        filtered.recipient(RcptTo.of(Address.parse("alice@example.org")));
        write(filtered, "Subject: buy\r\n\r\nnow\r\n");
        assertThatThrownBy(filtered::commit).isInstanceOf(SmtpRejection.class)
                .satisfies(e -> assertThat(((SmtpRejection) e).reply().code()).isEqualTo(550));
        filtered.abort(); // as the receiver does after a refused commit
        assertThat(sink.content.size()).isZero();
        assertThat(sink.events).containsExactly("rcpt alice@example.org", "abort");
    }

    @Test
    void sessionsTheFilterDoesNotApplyToShouldGoStraightToTheSink() throws Exception {
        RecordingSink sink = new RecordingSink();
        MessageSink opened = open(sink, FilterVerdict.Accept.unchanged("never asked"), false);
        assertThat(opened).isSameAs(sink);
        write(opened, "Subject: hi\r\n\r\nhello\r\n");
        assertThat(opened.commit()).isEqualTo("stored");
        assertThat(asked).isEmpty();
    }
}
