package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Strict parsing of {@code MAIL FROM:<path> params} and {@code RCPT TO:<path> params}.
 *
 * <p>Only a plain {@code local@domain} mailbox passes. The forms relays have been tricked with
 * are refused outright: source routes ({@code <@a:b@c>}), the {@code %} hack and bang paths
 * in recipients, quoted local parts (which can hide an {@code @}), more than one {@code @},
 * and address literals ({@code user@[192.0.2.1]}).
 */
public final class PathParser {

    static final SmtpReply MAIL_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
    static final SmtpReply RCPT_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
    static final SmtpReply UNSUPPORTED_PARAMETER = SmtpReply.of(555, "5.5.4", "Unsupported parameter");
    static final SmtpReply DUPLICATE_PARAMETER = SmtpReply.of(501, "5.5.4", "Duplicate parameter");
    static final SmtpReply BAD_PARAMETER = SmtpReply.of(501, "5.5.4", "Malformed parameter");
    static final SmtpReply BAD_SIZE = SmtpReply.of(501, "5.5.4", "Invalid SIZE parameter");
    static final SmtpReply NEEDS_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

    private static final Pattern KEYWORD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    private static final Pattern DIGITS = Pattern.compile("\\d{1,20}");
    private static final Pattern ADDR_TYPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]*");
    private static final int MAX_ENVID = 100;
    private static final int MAX_ORCPT = 500;

    private PathParser() {
    }

    /** Parses the argument of MAIL ({@code FROM:<path> params}). */
    public static MailFrom mail(String argument, long maxMessageSize) {
        String rest = prefix(argument, "FROM:", MAIL_SYNTAX);
        int close = pathEnd(rest, MAIL_SYNTAX);
        String path = rest.substring(1, close);
        Map<String, String> params = parameters(rest.substring(close + 1), MAIL_SYNTAX);

        OptionalLong size = OptionalLong.empty();
        boolean eightBit = false;
        boolean smtpUtf8 = false;
        Optional<String> ret = Optional.empty();
        Optional<String> envId = Optional.empty();
        boolean requireTls = false;
        for (Map.Entry<String, String> p : params.entrySet()) {
            String value = p.getValue();
            switch (p.getKey()) {
                case "SIZE" -> {
                    if (value == null || !DIGITS.matcher(value).matches()) {
                        throw new SmtpRejection(BAD_SIZE);
                    }
                    long declared = parseSize(value);
                    if (declared > maxMessageSize) {
                        throw new SmtpRejection(SmtpReply.MESSAGE_TOO_BIG);
                    }
                    size = OptionalLong.of(declared);
                }
                case "BODY" -> {
                    String v = upper(value);
                    if (!"7BIT".equals(v) && !"8BITMIME".equals(v)) {
                        throw new SmtpRejection(SmtpReply.of(501, "5.5.4", "BODY must be 7BIT or 8BITMIME"));
                    }
                    eightBit = "8BITMIME".equals(v);
                }
                case "SMTPUTF8" -> {
                    if (value != null) {
                        throw new SmtpRejection(BAD_PARAMETER);
                    }
                    smtpUtf8 = true;
                }
                case "RET" -> {
                    String v = upper(value);
                    if (!"FULL".equals(v) && !"HDRS".equals(v)) {
                        throw new SmtpRejection(SmtpReply.of(501, "5.5.4", "RET must be FULL or HDRS"));
                    }
                    ret = Optional.of(v);
                }
                case "ENVID" -> {
                    Optional<String> decoded = value == null ? Optional.empty() : Xtext.decode(value);
                    if (decoded.isEmpty() || decoded.get().isEmpty() || decoded.get().length() > MAX_ENVID) {
                        throw new SmtpRejection(SmtpReply.of(501, "5.5.4", "Invalid ENVID"));
                    }
                    envId = decoded;
                }
                case "REQUIRETLS" -> {
                    if (value != null) {
                        throw new SmtpRejection(BAD_PARAMETER);
                    }
                    requireTls = true;
                }
                case "AUTH" -> {
                    // RFC 4954 5: accepted and ignored; we do not trust other servers' assertions
                    if (value == null || !"<>".equals(value) && Xtext.decode(value).isEmpty()) {
                        throw new SmtpRejection(BAD_PARAMETER);
                    }
                }
                default -> throw new SmtpRejection(UNSUPPORTED_PARAMETER);
            }
        }
        Optional<Address> sender = path.isEmpty() ? Optional.empty() : Optional.of(mailbox(path, false));
        if (!smtpUtf8 && sender.map(Address::isInternational).orElse(false)) {
            throw new SmtpRejection(NEEDS_SMTPUTF8);
        }
        return new MailFrom(sender, size, eightBit, smtpUtf8, ret, envId, requireTls);
    }

    /**
     * Parses the argument of RCPT ({@code TO:<path> params}); {@code smtpUtf8} is the transaction's.
     * The bare {@code <Postmaster>} (any case, RFC 5321 4.1.1.3) is {@code postmaster}, refused
     * {@code 550 5.1.1} when there is none.
     */
    public static RcptTo rcpt(String argument, boolean smtpUtf8, Optional<Address> postmaster) {
        String rest = prefix(argument, "TO:", RCPT_SYNTAX);
        int close = pathEnd(rest, RCPT_SYNTAX);
        String path = rest.substring(1, close);
        Map<String, String> params = parameters(rest.substring(close + 1), RCPT_SYNTAX);
        Set<String> notify = Set.of();
        Optional<String> orcpt = Optional.empty();
        for (Map.Entry<String, String> p : params.entrySet()) {
            String value = p.getValue();
            switch (p.getKey()) {
                case "NOTIFY" -> notify = notify(value);
                case "ORCPT" -> orcpt = Optional.of(orcpt(value));
                default -> throw new SmtpRejection(UNSUPPORTED_PARAMETER);
            }
        }
        if (path.isEmpty()) {
            throw new SmtpRejection(SmtpReply.of(501, "5.1.3", "Empty recipient address"));
        }
        Address address = path.equalsIgnoreCase("postmaster")
                ? postmaster.orElseThrow(() -> new SmtpRejection(SmtpReply.NO_SUCH_USER))
                : mailbox(path, true);
        if (!smtpUtf8 && address.isInternational()) {
            throw new SmtpRejection(NEEDS_SMTPUTF8);
        }
        return new RcptTo(address, notify, orcpt);
    }

    private static String prefix(String argument, String keyword, SmtpReply syntax) {
        if (argument.length() < keyword.length() || !argument.regionMatches(true, 0, keyword, 0, keyword.length())) {
            throw new SmtpRejection(syntax);
        }
        String rest = argument.substring(keyword.length());
        int i = 0;
        while (i < rest.length() && rest.charAt(i) == ' ') {
            i++; // tolerated: "MAIL FROM: <a@b>" is common
        }
        return rest.substring(i);
    }

    private static int pathEnd(String rest, SmtpReply syntax) {
        if (rest.isEmpty() || rest.charAt(0) != '<') {
            throw new SmtpRejection(syntax);
        }
        int close = rest.indexOf('>');
        if (close < 0) {
            throw new SmtpRejection(syntax);
        }
        if (close + 1 < rest.length() && rest.charAt(close + 1) != ' ') {
            throw new SmtpRejection(syntax);
        }
        return close;
    }

    private static Address mailbox(String path, boolean recipient) {
        String enhanced = recipient ? "5.1.3" : "5.1.7";
        if (path.startsWith("@")) {
            throw new SmtpRejection(SmtpReply.of(553, enhanced, "Source routes are not accepted"));
        }
        if (path.indexOf('"') >= 0 || path.indexOf('\\') >= 0) {
            throw new SmtpRejection(SmtpReply.of(553, enhanced, "Quoted local parts are not accepted"));
        }
        if (path.indexOf('[') >= 0 || path.indexOf(']') >= 0) {
            throw new SmtpRejection(SmtpReply.of(553, enhanced, "Address literals are not accepted"));
        }
        int at = path.indexOf('@');
        if (at < 0 || path.indexOf('@', at + 1) >= 0) {
            throw new SmtpRejection(SmtpReply.of(553, enhanced, "Address must contain exactly one @"));
        }
        if (recipient) {
            String local = path.substring(0, at);
            if (local.indexOf('%') >= 0 || local.indexOf('!') >= 0) {
                throw new SmtpRejection(SmtpReply.of(553, "5.7.1", "Relaying via % or ! addresses is not accepted"));
            }
        }
        try {
            return Address.parse(path);
        } catch (InvalidInputException e) {
            throw new SmtpRejection(SmtpReply.of(553, enhanced, "Malformed address"));
        }
    }

    private static Map<String, String> parameters(String text, SmtpReply syntax) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String token : text.split(" ")) {
            if (token.isEmpty()) {
                continue;
            }
            int eq = token.indexOf('=');
            String key = eq < 0 ? token : token.substring(0, eq);
            String value = eq < 0 ? null : token.substring(eq + 1);
            if (!KEYWORD.matcher(key).matches() || value != null && (value.isEmpty() || !printable(value))) {
                throw new SmtpRejection(BAD_PARAMETER);
            }
            if (params.put(key.toUpperCase(Locale.ROOT), value) != null || params.size() > 16) {
                throw new SmtpRejection(DUPLICATE_PARAMETER);
            }
        }
        return params;
    }

    private static long parseSize(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE; // 20 digits beyond 2^63: larger than any limit
        }
    }

    private static Set<String> notify(String value) {
        if (value == null) {
            throw new SmtpRejection(BAD_PARAMETER);
        }
        Set<String> values = new TreeSet<>();
        for (String v : value.toUpperCase(Locale.ROOT).split(",", -1)) {
            if (!Set.of("NEVER", "SUCCESS", "FAILURE", "DELAY").contains(v) || !values.add(v)) {
                throw new SmtpRejection(SmtpReply.of(501, "5.5.4", "NOTIFY must be NEVER or some of SUCCESS,FAILURE,DELAY"));
            }
        }
        if (values.contains("NEVER") && values.size() > 1) {
            throw new SmtpRejection(SmtpReply.of(501, "5.5.4", "NOTIFY=NEVER cannot be combined"));
        }
        return values;
    }

    /** ORCPT's addr-type and its address xtext-decoded, as ENVID is kept: what is relayed is encoded once. */
    private static String orcpt(String value) {
        int semi = value == null ? -1 : value.indexOf(';');
        Optional<String> address = semi <= 0 ? Optional.empty() : Xtext.decode(value.substring(semi + 1));
        if (semi <= 0 || value.length() > MAX_ORCPT || !ADDR_TYPE.matcher(value.substring(0, semi)).matches()
                || address.map(String::isEmpty).orElse(true)) {
            throw new SmtpRejection(SmtpReply.of(501, "5.5.4", "ORCPT must be addr-type;xtext"));
        }
        return value.substring(0, semi) + ";" + address.get();
    }

    private static String upper(String value) {
        return value == null ? null : value.toUpperCase(Locale.ROOT);
    }

    private static boolean printable(String value) {
        return value.codePoints().allMatch(c -> c > 0x20 && c != 0x7f && (c < 0x80 || !Character.isISOControl(c)));
    }
}
