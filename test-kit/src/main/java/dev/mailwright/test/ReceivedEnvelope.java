package dev.mailwright.test;

import dev.mailwright.store.RemoteRecipient;
import java.util.List;
import java.util.Optional;

/**
 * The envelope of one SMTP transaction the server stored (after its {@code 250}).
 *
 * @param mailFrom      the MAIL FROM address; empty for the null sender {@code <>}
 * @param recipients    every RCPT TO address accepted, in order
 * @param remote        the recipients outside the server's domains, with their DSN parameters
 *                      (NOTIFY, ORCPT), as queued for delivery
 * @param ret           DSN RET ({@code FULL} or {@code HDRS}), if given
 * @param envId         DSN ENVID, if given
 * @param smtpUtf8      whether MAIL FROM said SMTPUTF8
 * @param authenticated the user who submitted it, if it was submitted after AUTH
 */
public record ReceivedEnvelope(Optional<String> mailFrom, List<String> recipients, List<RemoteRecipient> remote,
                               Optional<String> ret, Optional<String> envId, boolean smtpUtf8,
                               Optional<String> authenticated) {

    public ReceivedEnvelope {
        recipients = List.copyOf(recipients);
        remote = List.copyOf(remote);
    }
}
