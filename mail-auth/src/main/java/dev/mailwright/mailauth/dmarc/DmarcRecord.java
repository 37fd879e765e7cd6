package dev.mailwright.mailauth.dmarc;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A DMARC policy record (RFC 7489 6.3): the policy for the domain (p) and its subdomains (sp),
 * strict or relaxed alignment for DKIM (adkim) and SPF (aspf), and the percentage (pct) of
 * failing mail the policy applies to. Reporting tags are read past and not used.
 */
public record DmarcRecord(Policy policy, Policy subdomainPolicy, boolean strictDkim, boolean strictSpf, int percent) {

    public enum Policy {
        NONE, QUARANTINE, REJECT;

        public String keyword() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Policy> parse(String s) {
            return switch (s.toLowerCase(Locale.ROOT)) {
                case "none" -> Optional.of(NONE);
                case "quarantine" -> Optional.of(QUARANTINE);
                case "reject" -> Optional.of(REJECT);
                default -> Optional.empty();
            };
        }
    }

    /** Whether a TXT record is a DMARC record at all (starts with {@code v=DMARC1}). */
    static boolean isDmarc(String txt) {
        String t = txt.stripLeading();
        if (!t.regionMatches(true, 0, "v", 0, 1)) {
            return false;
        }
        int semi = t.indexOf(';');
        String first = (semi < 0 ? t : t.substring(0, semi)).replace(" ", "").replace("\t", "");
        return first.equals("v=DMARC1");
    }

    /** Reads a record; empty when it is not a usable DMARC record (RFC 7489 6.6.3: then there is none). */
    public static Optional<DmarcRecord> parse(String txt) {
        if (!isDmarc(txt)) {
            return Optional.empty();
        }
        Map<String, String> tags = new HashMap<>();
        for (String spec : txt.split(";")) {
            int eq = spec.indexOf('=');
            if (eq > 0) {
                tags.putIfAbsent(spec.substring(0, eq).strip().toLowerCase(Locale.ROOT), spec.substring(eq + 1).strip());
            }
        }
        Optional<Policy> p = Optional.ofNullable(tags.get("p")).flatMap(Policy::parse);
        if (p.isEmpty()) {
            if (!tags.containsKey("rua")) {
                return Optional.empty();
            }
            p = Optional.of(Policy.NONE); // 6.6.3: a record with rua but no valid p is treated as p=none
        }
        Policy sp = Optional.ofNullable(tags.get("sp")).flatMap(Policy::parse).orElse(p.get());
        int pct = 100;
        String pctText = tags.get("pct");
        if (pctText != null) {
            try {
                pct = Math.max(0, Math.min(100, Integer.parseInt(pctText)));
            } catch (NumberFormatException e) {
                pct = 100;
            }
        }
        return Optional.of(new DmarcRecord(p.get(), sp, "s".equalsIgnoreCase(tags.get("adkim")),
                "s".equalsIgnoreCase(tags.get("aspf")), pct));
    }
}
