package dev.mailwright.store;

import java.time.Instant;
import java.util.Optional;

/**
 * What the SMTP transaction said about a message apart from its recipients.
 *
 * @param reversePath   the MAIL FROM address; empty for the null reverse path {@code <>} (bounces)
 * @param received      when the message was received (importers set the original date)
 * @param ret           DSN RET (RFC 3461): {@code FULL} or {@code HDRS}, if given
 * @param envId         DSN ENVID (xtext decoded), if given
 * @param smtpUtf8      whether the message was sent with SMTPUTF8
 * @param authenticated the authenticated submitter, if any
 * @param requireTls    REQUIRETLS (RFC 8689): deliver only over TLS to verified hosts that take REQUIRETLS
 */
public record Envelope(Optional<Address> reversePath, Instant received, Optional<String> ret,
                       Optional<String> envId, boolean smtpUtf8, Optional<String> authenticated, boolean requireTls) {

    /** Without REQUIRETLS. */
    public Envelope(Optional<Address> reversePath, Instant received, Optional<String> ret, Optional<String> envId,
                    boolean smtpUtf8, Optional<String> authenticated) {
        this(reversePath, received, ret, envId, smtpUtf8, authenticated, false);
    }

    public static Envelope of(Optional<Address> reversePath, Instant received) {
        return new Envelope(reversePath, received, Optional.empty(), Optional.empty(), false, Optional.empty());
    }
}
