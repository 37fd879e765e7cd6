package dev.mailwright.smtp.command;

import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import java.util.regex.Pattern;

/** HELO/EHLO argument: a domain or an address literal (RFC 5321 4.1.1.1), nothing else. */
final class HeloNames {

    static final SmtpReply INVALID = SmtpReply.of(501, "5.5.4", "Syntax: EHLO domain or address literal");
    private static final Pattern IPV4 = Pattern.compile("\\[(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}]");
    private static final Pattern IPV6 = Pattern.compile("\\[IPv6:[0-9A-Fa-f:.]{2,45}]", Pattern.CASE_INSENSITIVE);

    private HeloNames() {
    }

    /** The name as it goes into the Received header. */
    static String parse(String argument) {
        String name = argument.trim();
        if (name.isEmpty() || name.indexOf(' ') >= 0 || name.length() > 255) {
            throw new SmtpRejection(INVALID);
        }
        if (name.startsWith("[")) {
            if (IPV4.matcher(name).matches() || IPV6.matcher(name).matches() && name.indexOf(':', 6) >= 0) {
                return name;
            }
            throw new SmtpRejection(INVALID);
        }
        try {
            return Address.parseDomain(name);
        } catch (InvalidInputException e) {
            throw new SmtpRejection(INVALID);
        }
    }
}
