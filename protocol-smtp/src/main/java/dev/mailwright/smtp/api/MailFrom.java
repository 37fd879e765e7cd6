package dev.mailwright.smtp.api;

import dev.mailwright.store.Address;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A parsed {@code MAIL FROM} with its ESMTP parameters.
 *
 * @param reversePath the sender, empty for the null reverse path {@code <>}
 * @param size        SIZE (RFC 1870), if declared
 * @param eightBit    BODY=8BITMIME (RFC 6152)
 * @param smtpUtf8    SMTPUTF8 (RFC 6531)
 * @param ret         DSN RET: {@code FULL} or {@code HDRS} (RFC 3461)
 * @param envId       DSN ENVID, xtext-decoded
 * @param requireTls  REQUIRETLS (RFC 8689): the message may only travel over TLS to verified hosts
 *                    (accepted over TLS only); whoever relays it onwards must honour it
 */
public record MailFrom(Optional<Address> reversePath, OptionalLong size, boolean eightBit, boolean smtpUtf8,
                       Optional<String> ret, Optional<String> envId, boolean requireTls) {

    /** Without REQUIRETLS. */
    public MailFrom(Optional<Address> reversePath, OptionalLong size, boolean eightBit, boolean smtpUtf8,
                    Optional<String> ret, Optional<String> envId) {
        this(reversePath, size, eightBit, smtpUtf8, ret, envId, false);
    }

    /** A plain sender without parameters. */
    public static MailFrom of(Optional<Address> reversePath) {
        return new MailFrom(reversePath, OptionalLong.empty(), false, false, Optional.empty(), Optional.empty());
    }

    /** The reverse path as written in a Return-Path header or a reply: {@code <a@b>} or {@code <>}. */
    public String path() {
        return "<" + reversePath.map(Address::toString).orElse("") + ">";
    }
}
