package dev.mailwright.store;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Locale;

/**
 * A mailbox address ({@code local@domain}) as accounts, aliases and envelopes use it.
 *
 * <p>The local part is a dot-atom (RFC 5322) whose characters may also be UTF-8 (RFC 6531);
 * quoted local parts, source routes, address literals and the other forms that relays abuse
 * are refused here, so every address the store holds is one a person can type. The text is
 * normalised to NFC. {@link #toString()} shows the address as it was given; {@link #key()}
 * is the case-insensitive form used for lookups, so {@code Alice@Example.org} and
 * {@code alice@example.org} are the same mailbox.
 *
 * <p>Internationalised domains are stored and looked up as A-labels (IDNA, punycode:
 * {@code xn--bcher-kva.example}), whichever form was typed: {@link #domainKey()},
 * {@link #key()} and {@link #parseDomain} give it, so {@code ann@bücher.example} and
 * {@code ann@xn--bcher-kva.example} are the same mailbox. {@link #unicodeDomain} turns a stored
 * name back into U-labels for people. The conversion is {@link IDN java.net.IDN}'s (IDNA 2003;
 * its nameprep maps {@code ß} to {@code ss} and final sigma to sigma, where IDNA 2008 keeps them).
 */
public record Address(String localPart, String domain) {

    /** RFC 5321 4.5.3.1.1: at most 64 octets in a local part. */
    public static final int MAX_LOCAL_PART_OCTETS = 64;
    /** RFC 5321 4.5.3.1.2: at most 255 octets in a domain. */
    public static final int MAX_DOMAIN_OCTETS = 255;
    /** RFC 5321 4.5.3.1.3 (path of 256 octets minus the angle brackets). */
    public static final int MAX_ADDRESS_OCTETS = 254;

    public Address {
        localPart = Normalizer.normalize(localPart, Normalizer.Form.NFC);
        domain = normalizeDomain(domain);
        String problem = localPartProblem(localPart);
        if (problem == null) {
            problem = domainProblem(domain);
        }
        if (problem == null && octets(localPart) + 1 + octets(domain) > MAX_ADDRESS_OCTETS) {
            problem = "address longer than " + MAX_ADDRESS_OCTETS + " octets";
        }
        if (problem != null) {
            throw new InvalidInputException("malformed address: " + problem);
        }
        asciiDomain(domain); // an internationalised name IDNA cannot encode is no address
    }

    /** Parses {@code local@domain}; the last {@code @} separates the parts, and there must be exactly one. */
    public static Address parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidInputException("malformed address: empty");
        }
        if (text.length() > 4 * MAX_ADDRESS_OCTETS) {
            throw new InvalidInputException("malformed address: address longer than " + MAX_ADDRESS_OCTETS + " octets");
        }
        int at = text.indexOf('@');
        if (at < 0) {
            throw new InvalidInputException("malformed address: no @ in \"" + printable(text) + "\"");
        }
        if (text.indexOf('@', at + 1) >= 0) {
            throw new InvalidInputException("malformed address: more than one @ in \"" + printable(text) + "\"");
        }
        return new Address(text.substring(0, at), text.substring(at + 1));
    }

    /**
     * Checks a domain name the way {@link Address} does and returns it as stored and looked up:
     * lower case, internationalised labels as A-labels ({@code xn--...}).
     */
    public static String parseDomain(String text) {
        if (text == null) {
            throw new InvalidInputException("malformed domain: empty");
        }
        String domain = normalizeDomain(text);
        String problem = domainProblem(domain);
        if (problem != null) {
            throw new InvalidInputException("malformed domain: " + problem);
        }
        return asciiDomain(domain);
    }

    /** The domain as stored and looked up: {@link #parseDomain}'s form (A-labels). */
    public String domainKey() {
        return asciiDomain(domain);
    }

    /** A stored domain name for people: its A-labels ({@code xn--...}) as U-labels; others as they are. */
    public static String unicodeDomain(String domain) {
        if (!domain.contains("xn--")) {
            return domain;
        }
        try {
            return IDN.toUnicode(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            return domain;
        }
    }

    private static String asciiDomain(String domain) {
        if (isAscii(domain) && !domain.contains("xn--")) {
            return domain;
        }
        try {
            return IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException("malformed domain: not a valid internationalised name: " + e.getMessage());
        }
    }

    /** The lookup key: the local part in NFC and lower case, {@code @}, the {@link #domainKey()}. */
    public String key() {
        return localPart.toLowerCase(Locale.ROOT) + "@" + domainKey();
    }

    /**
     * The address without its sub-address tag, if it has one ({@code user+tag} becomes {@code user}).
     * What is left must be a local part of its own: {@code user.+tag} has no tag, since {@code user.}
     * names nobody.
     */
    public Address withoutTag(char separator) {
        int sep = localPart.indexOf(separator);
        if (sep <= 0) {
            return this;
        }
        try {
            return new Address(localPart.substring(0, sep), domain);
        } catch (InvalidInputException e) {
            return this;
        }
    }

    /** True when the address needs SMTPUTF8 to travel (RFC 6531). */
    public boolean isInternational() {
        return !isAscii(localPart) || !isAscii(domain);
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }

    private static String normalizeDomain(String domain) {
        String d = Normalizer.normalize(domain, Normalizer.Form.NFC).toLowerCase(Locale.ROOT);
        return d.endsWith(".") && d.length() > 1 ? d.substring(0, d.length() - 1) : d;
    }

    private static String localPartProblem(String local) {
        if (local.isEmpty()) {
            return "empty local part";
        }
        if (octets(local) > MAX_LOCAL_PART_OCTETS) {
            return "local part longer than " + MAX_LOCAL_PART_OCTETS + " octets";
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            return "misplaced dot in local part";
        }
        for (int i = 0; i < local.length(); ) {
            int cp = local.codePointAt(i);
            if (!isAtext(cp)) {
                return "character " + describe(cp) + " not allowed in local part";
            }
            i += Character.charCount(cp);
        }
        return null;
    }

    private static String domainProblem(String domain) {
        if (domain.isEmpty()) {
            return "empty domain";
        }
        if (octets(domain) > MAX_DOMAIN_OCTETS) {
            return "domain longer than " + MAX_DOMAIN_OCTETS + " octets";
        }
        for (String label : domain.split("\\.", -1)) {
            if (label.isEmpty()) {
                return "empty label in domain";
            }
            if (octets(label) > 63) {
                return "domain label longer than 63 octets";
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                return "domain label starts or ends with a hyphen";
            }
            for (int i = 0; i < label.length(); ) {
                int cp = label.codePointAt(i);
                boolean ok = (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '-'
                        || (cp >= 0x80 && Character.isLetterOrDigit(cp))
                        || (cp >= 0x80 && Character.getType(cp) == Character.NON_SPACING_MARK);
                if (!ok) {
                    return "character " + describe(cp) + " not allowed in domain";
                }
                i += Character.charCount(cp);
            }
        }
        return null;
    }

    /** RFC 5322 atext, extended by RFC 6532 with any non-ASCII code point that is not a control or space. */
    private static boolean isAtext(int cp) {
        if (cp >= 0x80) {
            int type = Character.getType(cp);
            return !Character.isISOControl(cp) && !Character.isWhitespace(cp) && !Character.isSpaceChar(cp)
                    && type != Character.FORMAT && type != Character.UNASSIGNED && type != Character.SURROGATE
                    && type != Character.PRIVATE_USE;
        }
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
            return true;
        }
        return "!#$%&'*+-/=?^_`{|}~.".indexOf(cp) >= 0;
    }

    private static String describe(int cp) {
        if (cp < 0x20 || cp == 0x7f) {
            return String.format("U+%04X", cp);
        }
        return "'" + new String(Character.toChars(cp)) + "'";
    }

    private static String printable(String text) {
        StringBuilder sb = new StringBuilder();
        text.codePoints().limit(80).forEach(cp -> sb.append(cp < 0x20 || cp == 0x7f ? "?" : new String(Character.toChars(cp))));
        return sb.toString();
    }

    private static int octets(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static boolean isAscii(String s) {
        return s.chars().allMatch(c -> c < 0x80);
    }
}
