package dev.mailwright.mailauth.dmarc;

import dev.mailwright.mailauth.dkim.DkimResult;
import dev.mailwright.dns.DnsAnswer;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.mailauth.spf.SpfCheck;
import dev.mailwright.mailauth.spf.SpfResult;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * DMARC (RFC 7489): finds the policy record of the author's domain (then of its organisational
 * domain), checks whether a passing SPF or DKIM identifier is aligned with the author's domain,
 * and says what the policy asks for a failing message, p or sp, sampled by pct.
 */
public final class Dmarc {

    private final DnsLookup dns;
    private final IntSupplier percentile;

    /** @param percentile a number from 0 to 99 for each failing message, to sample pct with */
    public Dmarc(DnsLookup dns, IntSupplier percentile) {
        this.dns = dns;
        this.percentile = percentile;
    }

    /** What the DNS says for this author domain: the record and whether it came from the organisational domain. */
    private record Found(DmarcResult.Status problem, Optional<DmarcRecord> record, boolean fromOrganisation, String reason) {
    }

    /**
     * @param fromDomain the author's domain, empty when the From field does not name exactly one
     */
    public DmarcResult evaluate(Optional<String> fromDomain, SpfCheck spf, List<DkimResult> dkim) {
        if (fromDomain.isEmpty()) {
            return new DmarcResult(DmarcResult.Status.PERMERROR, "", Optional.empty(), DmarcRecord.Policy.NONE,
                    "no single author domain in From");
        }
        String from = fromDomain.get().toLowerCase(Locale.ROOT);
        Found found = find(from);
        if (found.problem() != null) {
            return new DmarcResult(found.problem(), from, Optional.empty(), DmarcRecord.Policy.NONE, found.reason());
        }
        DmarcRecord record = found.record().get();
        boolean dkimAligned = dkim.stream().anyMatch(d -> d.status() == DkimResult.Status.PASS
                && OrganizationalDomain.aligned(d.domain(), from, record.strictDkim()));
        boolean spfAligned = spf.result() == SpfResult.PASS && !spf.domain().isEmpty()
                && OrganizationalDomain.aligned(spf.domain(), from, record.strictSpf());
        if (dkimAligned || spfAligned) {
            return new DmarcResult(DmarcResult.Status.PASS, from, Optional.of(record), DmarcRecord.Policy.NONE,
                    (dkimAligned ? "DKIM" : "SPF") + " aligned");
        }
        DmarcRecord.Policy policy = found.fromOrganisation() && !OrganizationalDomain.of(from).equals(from)
                ? record.subdomainPolicy() : record.policy();
        DmarcRecord.Policy disposition = policy;
        if (policy != DmarcRecord.Policy.NONE && percentile.getAsInt() >= record.percent()) {
            // RFC 7489 6.6.4: outside the sample, the next less severe policy applies
            disposition = policy == DmarcRecord.Policy.REJECT ? DmarcRecord.Policy.QUARANTINE : DmarcRecord.Policy.NONE;
        }
        DmarcRecord applied = new DmarcRecord(policy, record.subdomainPolicy(), record.strictDkim(), record.strictSpf(),
                record.percent());
        return new DmarcResult(DmarcResult.Status.FAIL, from, Optional.of(applied), disposition,
                "neither SPF nor DKIM aligned with " + from);
    }

    private Found find(String from) {
        Found own = lookup(from);
        if (own.problem() != DmarcResult.Status.NONE) {
            return own;
        }
        String org = OrganizationalDomain.of(from);
        if (org.equals(from)) {
            return own;
        }
        Found parent = lookup(org);
        return parent.problem() == null ? new Found(null, parent.record(), true, "") : parent;
    }

    private Found lookup(String domain) {
        DnsAnswer<String> txt = dns.txt("_dmarc." + domain);
        if (txt.failed()) {
            return new Found(DmarcResult.Status.TEMPERROR, Optional.empty(), false, "DNS failure: " + txt.error());
        }
        List<String> records = txt.records().stream().filter(DmarcRecord::isDmarc).toList();
        if (records.size() != 1) {
            return new Found(DmarcResult.Status.NONE, Optional.empty(), false,
                    records.isEmpty() ? "no DMARC record" : "several DMARC records");
        }
        Optional<DmarcRecord> r = DmarcRecord.parse(records.get(0));
        if (r.isEmpty()) {
            return new Found(DmarcResult.Status.NONE, Optional.empty(), false, "unusable DMARC record");
        }
        return new Found(null, r, false, "");
    }
}
