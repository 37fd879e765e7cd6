package dev.mailwright.filter;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import java.io.InputStream;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One message for a {@link ContentFilter}: who sent it from where, to whom, what our own
 * authentication checks said, and its content, read as a stream (never asked for as one array).
 *
 * @param queueId     the id under which the message is logged (the session id until the
 *                    transaction id reaches the hook)
 * @param client      the connection: address, HELO name, TLS, authenticated user
 * @param from        MAIL FROM
 * @param recipients  the accepted recipients
 * @param auth        our SPF/DKIM/DMARC verdicts, {@link AuthVerdicts#NONE} when none were made
 * @param content     opens the content (trace header fields first), from the start, each time it is called
 * @param size        octets of the content
 */
public record FilterRequest(String queueId, SessionInfo client, MailFrom from, List<RcptTo> recipients,
                            AuthVerdicts auth, Supplier<InputStream> content, long size) {

    public FilterRequest {
        Objects.requireNonNull(queueId, "queueId");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(from, "from");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(content, "content");
    }
}
