package dev.mailwright.mailauth.spf;

/**
 * The outcome of one SPF check.
 *
 * @param result   what check_host() answered
 * @param identity which identity was checked: {@code mailfrom} or {@code helo}
 * @param domain   the domain checked (of the MAIL FROM address, or the HELO name)
 * @param reason   why, for logs and the comment in Authentication-Results
 */
public record SpfCheck(SpfResult result, String identity, String domain, String reason) {
}
