package dev.mailwright.filter;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The results of our own SPF, DKIM and DMARC checks of a message, as RFC 8601 result keywords
 * ({@code pass}, {@code fail}, {@code softfail}, {@code neutral}, {@code none},
 * {@code temperror}, {@code permerror}), passed to a content filter so that it need not check
 * again and can weigh them with the rest.
 *
 * @param spf         the SPF result of MAIL FROM (or HELO), empty when not checked
 * @param dkim        the DKIM result (the best signature's), empty when not checked
 * @param dmarc       the DMARC result, empty when not checked
 * @param dmarcPolicy the policy that applied to a DMARC {@code fail}: {@code reject},
 *                    {@code quarantine} or {@code none}
 */
public record AuthVerdicts(Optional<String> spf, Optional<String> dkim, Optional<String> dmarc,
                           Optional<String> dmarcPolicy) {

    public static final AuthVerdicts NONE = new AuthVerdicts(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    public AuthVerdicts {
        spf = lower(spf);
        dkim = lower(dkim);
        dmarc = lower(dmarc);
        dmarcPolicy = lower(dmarcPolicy);
    }

    public static AuthVerdicts of(String spf, String dkim, String dmarc, String dmarcPolicy) {
        return new AuthVerdicts(Optional.ofNullable(spf), Optional.ofNullable(dkim), Optional.ofNullable(dmarc),
                Optional.ofNullable(dmarcPolicy));
    }

    private static Optional<String> lower(Optional<String> v) {
        return Objects.requireNonNull(v).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty());
    }
}
