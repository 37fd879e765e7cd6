package dev.mailwright.mailauth.dkim;

import java.util.Locale;

/**
 * The verdict on one DKIM-Signature field (RFC 6376 6, RFC 8601 2.7.1).
 *
 * @param domain   the signing domain (d=), empty when the field could not be read that far
 * @param selector the selector (s=)
 * @param headerB  the first characters of the signature (b=), which tell signatures apart in Authentication-Results
 * @param reason   why, for the log and the comment
 */
public record DkimResult(Status status, String domain, String selector, String algorithm, String headerB,
                         String reason) {

    public enum Status {
        PASS, FAIL, NEUTRAL, POLICY, TEMPERROR, PERMERROR;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
