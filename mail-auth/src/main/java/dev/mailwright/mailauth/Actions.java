package dev.mailwright.mailauth;

import java.util.List;
import java.util.Optional;

/**
 * What to do with failed checks, for all mail or for the mail of one hosted domain.
 *
 * @param spfFail        SPF {@code fail} of the MAIL FROM (a {@code -all} that did not match)
 * @param dmarcQuarantine a DMARC failure whose policy (after pct) is {@code quarantine}
 * @param dmarcReject    a DMARC failure whose policy (after pct) is {@code reject}
 * @param localForgery   a From of one of our hosted domains, from an unauthenticated client, neither SPF nor DKIM aligned
 * @param subjectTag     put before the subject of quarantined mail, if set
 */
public record Actions(Action spfFail, Action dmarcQuarantine, Action dmarcReject, Action localForgery,
                      Optional<String> subjectTag) {

    public static final Actions DEFAULT = new Actions(Action.MARK, Action.QUARANTINE, Action.REJECT, Action.REJECT,
            Optional.empty());

    /** For a message to several domains: the strictest of each. */
    static Actions strictest(List<Actions> all) {
        Actions r = all.get(0);
        for (Actions a : all.subList(1, all.size())) {
            r = new Actions(r.spfFail.atLeast(a.spfFail), r.dmarcQuarantine.atLeast(a.dmarcQuarantine),
                    r.dmarcReject.atLeast(a.dmarcReject), r.localForgery.atLeast(a.localForgery),
                    r.subjectTag.or(a::subjectTag));
        }
        return r;
    }
}
