package dev.mailwright.filter;

import dev.mailwright.smtp.api.SmtpReply;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** What a {@link ContentFilter} decided: keep the message (perhaps marked) or refuse it. */
public sealed interface FilterVerdict {

    /** A short description for the transaction's log line. */
    String summary();

    /**
     * Keep the message.
     *
     * @param headerFields whole header fields ({@code Name: value}, no line end) to add at the top
     * @param removeFields names of fields to remove from the message first (the ones we add, so
     *                     that a sender cannot bring its own), compared ignoring case
     * @param subjectTag   text to put in front of the Subject (a subject is made if there is none)
     */
    record Accept(List<String> headerFields, List<String> removeFields, Optional<String> subjectTag, String summary)
            implements FilterVerdict {
        public Accept {
            headerFields = List.copyOf(headerFields);
            removeFields = List.copyOf(removeFields);
            Objects.requireNonNull(subjectTag, "subjectTag");
            Objects.requireNonNull(summary, "summary");
        }

        /** Keep the message as it is. */
        public static Accept unchanged(String summary) {
            return new Accept(List.of(), List.of(), Optional.empty(), summary);
        }

        /** Whether the message is kept exactly as received. */
        public boolean unchanged() {
            return headerFields.isEmpty() && removeFields.isEmpty() && subjectTag.isEmpty();
        }
    }

    /** Refuse the message with {@code reply} (4xx: the client may try again; 5xx: it may not). */
    record Refuse(SmtpReply reply, String summary) implements FilterVerdict {
        public Refuse {
            Objects.requireNonNull(reply, "reply");
            Objects.requireNonNull(summary, "summary");
            if (reply.isPositive()) {
                throw new IllegalArgumentException("a refusal needs a 4xx or 5xx reply: " + reply);
            }
        }
    }
}
