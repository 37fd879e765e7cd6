package dev.mailwright.outbound.internal;

import dev.mailwright.store.Address;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.content.WireFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * A delivery status notification (RFC 3464): {@code multipart/report; report-type=delivery-status}
 * with a human-readable part, the {@code message/delivery-status} part (one per-recipient block
 * for each recipient it covers), and the original message: its header only
 * ({@code text/rfc822-headers}) unless an authenticated submitter asked for {@code RET=FULL}
 * ({@link #returnsFullMessage}). The original is streamed, never held.
 */
public final class DeliveryReport {

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT);

    /** What the report says about its recipients (the DSN Action field). */
    public enum Action {
        FAILED("failed"), DELAYED("delayed"), RELAYED("relayed");

        final String field;

        Action(String field) {
            this.field = field;
        }
    }

    /**
     * One recipient and what happened to it.
     *
     * @param status      enhanced status code
     * @param remoteMta   the host that answered, if one did
     * @param diagnostic  the Diagnostic-Code value with its type ({@code smtp; 550 ...})
     * @param description for the human-readable part
     * @param lastAttempt when it was last tried
     */
    public record Entry(QueueItem item, String status, Optional<String> remoteMta, String diagnostic,
                        String description, Instant lastAttempt) {

        /** What an attempt at {@code at} did. */
        public static Entry of(QueueItem item, Outcome outcome, Instant at) {
            String diagnostic = outcome.smtpReply().map(r -> "smtp; " + clean(r.toString()))
                    .orElseGet(() -> "X-Mailwright; " + clean(outcome.text()));
            return new Entry(item, outcome.status(), outcome.remoteMta(), diagnostic, outcome.describe(), at);
        }

        /** A FAILED queue item, as the store kept it. */
        public static Entry ofFailed(QueueItem item) {
            QueueItem.Failure f = item.failure().orElseThrow(() -> new IllegalArgumentException(
                    "queue item " + item.id() + " has no failure"));
            return new Entry(item, f.status(), f.remoteMta(), f.diagnostic(), item.lastError().orElse(f.diagnostic()),
                    f.at());
        }

        /** What the store keeps of this entry until the DSN goes out. */
        public QueueItem.Failure failure() {
            return new QueueItem.Failure(status, diagnostic, remoteMta, lastAttempt);
        }
    }

    private DeliveryReport() {
    }

    /**
     * Writes the report.
     *
     * @param original    the stored message, or null to leave it out
     * @param retryUntil  for {@link Action#DELAYED}: when we give up
     */
    public static void write(OutputStream out, String reportingMta, Action action, Envelope envelope,
                             List<Entry> entries, InputStream original, Instant now, Optional<Instant> retryUntil)
            throws IOException {
        String boundary = "=_mailwright_" + UUID.randomUUID().toString().replace("-", "");
        String to = envelope.reversePath().map(Address::toString).orElseThrow();
        StringBuilder h = new StringBuilder();
        h.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append(">\r\n");
        h.append("To: <").append(to).append(">\r\n");
        h.append("Subject: ").append(switch (action) {
            case FAILED -> "Undelivered Mail Returned to Sender";
            case DELAYED -> "Delayed Mail (still being retried)";
            case RELAYED -> "Successful Mail Relay Notification";
        }).append("\r\n");
        h.append("Date: ").append(DATE.format(now.atOffset(ZoneOffset.UTC))).append("\r\n");
        h.append("Message-ID: <").append(UUID.randomUUID()).append("@").append(reportingMta).append(">\r\n");
        h.append("Auto-Submitted: auto-replied\r\n");
        h.append("MIME-Version: 1.0\r\n");
        h.append("Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"").append(boundary)
                .append("\"\r\n\r\n");
        h.append("This is a MIME-encapsulated delivery status notification.\r\n\r\n");

        h.append("--").append(boundary).append("\r\n");
        h.append("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
        h.append(human(action, reportingMta, entries, retryUntil));

        h.append("\r\n--").append(boundary).append("\r\n");
        h.append("Content-Type: message/delivery-status\r\n\r\n");
        h.append("Reporting-MTA: dns; ").append(reportingMta).append("\r\n");
        envelope.envId().ifPresent(id -> h.append("Original-Envelope-Id: ").append(clean(id)).append("\r\n"));
        h.append("Arrival-Date: ").append(DATE.format(envelope.received().atOffset(ZoneOffset.UTC))).append("\r\n");
        for (Entry e : entries) {
            h.append("\r\n");
            e.item().recipient().orcpt().ifPresent(o -> h.append("Original-Recipient: ")
                    .append(o.contains(";") ? clean(o) : "rfc822;" + clean(o)).append("\r\n"));
            h.append("Final-Recipient: rfc822; ").append(e.item().recipient().address()).append("\r\n");
            h.append("Action: ").append(action.field).append("\r\n");
            h.append("Status: ").append(clean(e.status())).append("\r\n");
            e.remoteMta().ifPresent(m -> {
                String host = m.contains(" ") ? m.substring(0, m.indexOf(' ')) : m;
                h.append("Remote-MTA: dns; ").append(clean(host)).append("\r\n");
            });
            h.append("Diagnostic-Code: ").append(clean(e.diagnostic())).append("\r\n");
            h.append("Last-Attempt-Date: ").append(DATE.format(e.lastAttempt().atOffset(ZoneOffset.UTC))).append("\r\n");
            retryUntil.ifPresent(u -> h.append("Will-Retry-Until: ")
                    .append(DATE.format(u.atOffset(ZoneOffset.UTC))).append("\r\n"));
        }

        boolean full = returnsFullMessage(envelope);
        if (original != null) {
            h.append("\r\n--").append(boundary).append("\r\n");
            h.append("Content-Type: ").append(full ? "message/rfc822" : "text/rfc822-headers").append("\r\n");
            h.append("Content-Description: ").append(full ? "Undelivered Message" : "Undelivered Message Headers")
                    .append("\r\n\r\n");
        }
        out.write(h.toString().getBytes(StandardCharsets.UTF_8));
        if (original != null) {
            try (InputStream in = WireFormat.normalize(original)) {
                if (full) {
                    in.transferTo(out);
                } else {
                    copyHeader(in, out);
                }
            }
        }
        out.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Whether the report carries the whole original message: only when the sender asked for it
     * with {@code RET=FULL} and was an authenticated submitter. Mail from the MX has a sender no
     * one checked, so its reports carry the header only, whatever RET says (RFC 3461 4.3 leaves
     * the choice to the reporting MTA; ADR 0027): otherwise a forged sender gets any body back.
     * Nor does a report on a REQUIRETLS message (RFC 8689 5): the report itself goes without
     * REQUIRETLS, so it must not carry the body that was to travel only over verified TLS.
     */
    public static boolean returnsFullMessage(Envelope envelope) {
        return envelope.authenticated().isPresent() && !envelope.requireTls()
                && envelope.ret().map(r -> r.equalsIgnoreCase("FULL")).orElse(false);
    }

    private static String human(Action action, String mta, List<Entry> entries, Optional<Instant> retryUntil) {
        StringBuilder sb = new StringBuilder();
        sb.append("This is the mail system at host ").append(mta).append(".\r\n\r\n");
        switch (action) {
            case FAILED -> sb.append("I'm sorry to have to inform you that your message could not\r\n")
                    .append("be delivered to one or more recipients. The reasons are below.\r\n");
            case DELAYED -> sb.append("Your message could not be delivered yet to one or more recipients.\r\n")
                    .append("It will be retried").append(retryUntil.map(u -> " until "
                            + DATE.format(u.atOffset(ZoneOffset.UTC))).orElse("")).append(";\r\n")
                    .append("you do not need to resend it.\r\n");
            case RELAYED -> sb.append("Your message was relayed to a system that does not send\r\n")
                    .append("delivery notifications; no further notice will follow.\r\n");
        }
        sb.append("\r\n");
        for (Entry e : entries) {
            sb.append("<").append(e.item().recipient().address()).append(">: ").append(clean(e.description()))
                    .append("\r\n");
        }
        return sb.toString();
    }

    /** Copies the header section, without the blank line after it. */
    private static void copyHeader(InputStream in, OutputStream out) throws IOException {
        int last = '\n';
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\r' && last == '\n') {
                int next = in.read();
                if (next == '\n' || next < 0) {
                    return; // the blank line
                }
                out.write(c);
                c = next;
            }
            out.write(c);
            last = c;
        }
        if (last != '\n') {
            out.write('\r');
            out.write('\n');
        }
    }

    /** One line of printable text for a DSN field. */
    private static String clean(String s) {
        return Reply.sanitize(s);
    }
}
