package dev.mailwright.mailauth;

import dev.mailwright.mailauth.dkim.DkimResult;
import dev.mailwright.mailauth.dmarc.DmarcResult;
import dev.mailwright.mailauth.spf.SpfCheck;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The Authentication-Results field (RFC 8601) with our authserv-id, and the test for fields that
 * claim it (removed from arriving mail before ours is added, RFC 8601 5).
 */
public final class AuthenticationResults {

    public static final String FIELD = "Authentication-Results";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._@+=/-]+");

    private AuthenticationResults() {
    }

    /**
     * The whole field, folded one result per line, without the final CRLF.
     *
     * @param helo the SPF result of the HELO identity, when it was checked apart from the MAIL FROM
     */
    public static String field(String authservId, SpfCheck spf, boolean nullSender, java.util.Optional<SpfCheck> helo,
                               List<DkimResult> dkim, DmarcResult dmarc) {
        StringBuilder sb = new StringBuilder(FIELD).append(": ").append(authservId).append(";\r\n\tspf=")
                .append(spf.result().keyword());
        if (!spf.domain().isEmpty()) {
            sb.append(nullSender ? " smtp.helo=" : " smtp.mailfrom=").append(value(spf.domain()));
        }
        if (dkim.isEmpty()) {
            sb.append(";\r\n\tdkim=none");
        }
        for (DkimResult d : dkim) {
            sb.append(";\r\n\tdkim=").append(d.status().keyword());
            if (!d.domain().isEmpty()) {
                sb.append(" header.d=").append(value(d.domain()));
            }
            if (!d.selector().isEmpty()) {
                sb.append(" header.s=").append(value(d.selector()));
            }
            if (!d.headerB().isEmpty()) {
                sb.append(" header.b=").append(value(d.headerB()));
            }
        }
        sb.append(";\r\n\tdmarc=").append(dmarc.status().keyword());
        dmarc.published().ifPresent(p -> sb.append(" (p=").append(p.keyword()).append(" dis=")
                .append(dmarc.disposition().keyword()).append(')'));
        if (!dmarc.fromDomain().isEmpty()) {
            sb.append(" header.from=").append(value(dmarc.fromDomain()));
        }
        helo.ifPresent(h -> sb.append(";\r\n\tspf=").append(h.result().keyword()).append(" smtp.helo=")
                .append(value(h.domain())));
        return sb.toString();
    }

    /** A property value: a token as it is, anything else as a quoted-string without controls. */
    static String value(String v) {
        if (TOKEN.matcher(v).matches()) {
            return v;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            if (c < 0x20 || c >= 0x7f) {
                continue;
            }
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** Whether an Authentication-Results value starts with this authserv-id (comments and version aside). */
    public static boolean claims(String value, String authservId) {
        String v = value.strip();
        while (v.startsWith("(")) { // a leading comment
            int close = v.indexOf(')');
            if (close < 0) {
                return false;
            }
            v = v.substring(close + 1).strip();
        }
        int end = 0;
        while (end < v.length() && v.charAt(end) != ';' && v.charAt(end) != ' ' && v.charAt(end) != '\t'
                && v.charAt(end) != '(') {
            end++;
        }
        String id = v.substring(0, end);
        if (id.startsWith("\"") && id.endsWith("\"") && id.length() >= 2) {
            id = id.substring(1, id.length() - 1);
        }
        return id.toLowerCase(Locale.ROOT).equals(authservId.toLowerCase(Locale.ROOT));
    }
}
