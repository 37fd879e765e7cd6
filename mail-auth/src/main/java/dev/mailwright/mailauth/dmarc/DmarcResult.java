package dev.mailwright.mailauth.dmarc;

import java.util.Locale;
import java.util.Optional;

/**
 * The DMARC verdict on a message (RFC 7489 6.6, RFC 8601).
 *
 * @param fromDomain  the domain of the author (RFC5322.From), empty when there was no single one
 * @param record      the policy record found, if any
 * @param disposition what the policy asks for this message after pct: NONE for a pass
 * @param reason      why, for the log
 */
public record DmarcResult(Status status, String fromDomain, Optional<DmarcRecord> record,
                          DmarcRecord.Policy disposition, String reason) {

    public enum Status {
        PASS, FAIL, NONE, TEMPERROR, PERMERROR;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The policy published for this From (p or sp as it applies), before pct. */
    public Optional<DmarcRecord.Policy> published() {
        return record.map(r -> r.policy());
    }
}
