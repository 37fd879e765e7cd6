package dev.mailwright.mailauth.dmarc;

import com.google.common.net.InternetDomainName;
import java.util.Locale;

/**
 * The organisational domain of RFC 7489 3.2: the public suffix plus one label, from the Public
 * Suffix List that Guava's {@link InternetDomainName} carries (ICANN and private sections, as the
 * RFC takes the list whole). A name that is itself a public suffix, or that the list does not
 * know, is its own organisational domain.
 */
public final class OrganizationalDomain {

    private OrganizationalDomain() {
    }

    public static String of(String domain) {
        String d = domain.toLowerCase(Locale.ROOT);
        if (d.endsWith(".")) {
            d = d.substring(0, d.length() - 1);
        }
        try {
            InternetDomainName name = InternetDomainName.from(d);
            if (name.isUnderPublicSuffix()) {
                return name.topPrivateDomain().toString();
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            // not a name the list can place: its own organisational domain
        }
        return d;
    }

    /** Relaxed alignment: the same organisational domain; strict: the same name (RFC 7489 3.1). */
    public static boolean aligned(String a, String b, boolean strict) {
        String x = a.toLowerCase(Locale.ROOT);
        String y = b.toLowerCase(Locale.ROOT);
        return strict ? x.equals(y) : of(x).equals(of(y));
    }
}
