package dev.mailwright.mailauth.spf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/** SPF macros (RFC 7208 7): checked when a record is parsed, expanded when a term is evaluated. */
final class Macros {

    private static final String DELIMITERS = ".-+,/_=";

    /**
     * @param validated the {@code %{p}} value for a domain (a lookup: asked only when the macro is used)
     */
    record Context(String sender, String domain, InetAddress ip, String helo, String receiver,
                   UnaryOperator<String> validated) {
    }

    private Macros() {
    }

    /** Throws a permerror when {@code spec} is not a macro-string (c, r and t only in explanations). */
    static void check(String spec, boolean explanation) {
        expand(spec, null, explanation);
    }

    /** Expands {@code spec}; with a null context only checks it. */
    static String expand(String spec, Context c, boolean explanation) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < spec.length()) {
            char ch = spec.charAt(i);
            if (ch != '%') {
                if (ch < 0x21 && !(explanation && ch == ' ') || ch > 0x7e) {
                    throw permerror("bad character in " + spec);
                }
                out.append(ch);
                i++;
                continue;
            }
            if (i + 1 >= spec.length()) {
                throw permerror("lone % in " + spec);
            }
            char next = spec.charAt(i + 1);
            switch (next) {
                case '%' -> {
                    out.append('%');
                    i += 2;
                }
                case '_' -> {
                    out.append(' ');
                    i += 2;
                }
                case '-' -> {
                    out.append("%20");
                    i += 2;
                }
                case '{' -> {
                    int close = spec.indexOf('}', i);
                    if (close < 0) {
                        throw permerror("unclosed macro in " + spec);
                    }
                    out.append(macro(spec.substring(i + 2, close), c, explanation, spec));
                    i = close + 1;
                }
                default -> throw permerror("bad macro %" + next + " in " + spec);
            }
        }
        return out.toString();
    }

    private static String macro(String body, Context c, boolean explanation, String spec) {
        if (body.isEmpty()) {
            throw permerror("empty macro in " + spec);
        }
        char letter = body.charAt(0);
        char lower = Character.toLowerCase(letter);
        if ("slodiphv".indexOf(lower) < 0 && !(explanation && "crt".indexOf(lower) >= 0)) {
            throw permerror("bad macro letter " + letter + " in " + spec);
        }
        int i = 1;
        int digitsStart = i;
        while (i < body.length() && Character.isDigit(body.charAt(i))) {
            i++;
        }
        int keep = -1;
        if (i > digitsStart) {
            String digits = body.substring(digitsStart, i);
            keep = digits.length() > 3 ? Integer.MAX_VALUE : Integer.parseInt(digits);
            if (keep == 0) {
                throw permerror("zero parts in macro " + body);
            }
        }
        boolean reverse = false;
        if (i < body.length() && Character.toLowerCase(body.charAt(i)) == 'r') {
            reverse = true;
            i++;
        }
        String delimiters = body.substring(i);
        for (char d : delimiters.toCharArray()) {
            if (DELIMITERS.indexOf(d) < 0) {
                throw permerror("bad delimiter " + d + " in macro " + body);
            }
        }
        if (c == null) {
            return "";
        }
        String value = value(lower, c);
        if (keep > 0 || reverse || !delimiters.isEmpty()) {
            List<String> parts = split(value, delimiters.isEmpty() ? "." : delimiters);
            if (reverse) {
                Collections.reverse(parts);
            }
            if (keep > 0 && keep < parts.size()) {
                parts = parts.subList(parts.size() - keep, parts.size());
            }
            value = String.join(".", parts);
        }
        if (Character.isUpperCase(letter)) {
            value = URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A")
                    .replace("%7E", "~");
        }
        return value;
    }

    private static List<String> split(String value, String delimiters) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        for (char ch : value.toCharArray()) {
            if (delimiters.indexOf(ch) >= 0) {
                parts.add(part.toString());
                part.setLength(0);
            } else {
                part.append(ch);
            }
        }
        parts.add(part.toString());
        return parts;
    }

    private static String value(char letter, Context c) {
        int at = c.sender().lastIndexOf('@');
        return switch (letter) {
            case 's' -> c.sender();
            case 'l' -> at <= 0 ? "postmaster" : c.sender().substring(0, at);
            case 'o' -> c.sender().substring(at + 1);
            case 'd' -> c.domain();
            case 'i' -> dotted(c.ip());
            case 'p' -> c.validated().apply(c.domain());
            case 'v' -> c.ip() instanceof Inet4Address ? "in-addr" : "ip6";
            case 'h' -> c.helo();
            case 'c' -> c.ip().getHostAddress();
            case 'r' -> c.receiver();
            case 't' -> Long.toString(Instant.now().getEpochSecond());
            default -> throw permerror("bad macro letter " + letter);
        };
    }

    /** IPv4 as usual; IPv6 as dot-separated nibbles (RFC 7208 7.3). */
    private static String dotted(InetAddress ip) {
        if (ip instanceof Inet4Address) {
            return ip.getHostAddress();
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : ip.getAddress()) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append('.').append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static Spf.Stop permerror(String why) {
        return new Spf.Stop(SpfResult.PERMERROR, why);
    }
}
