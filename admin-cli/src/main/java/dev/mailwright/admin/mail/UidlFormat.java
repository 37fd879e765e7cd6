package dev.mailwright.admin.mail;

import java.util.Locale;

/**
 * Dovecot's {@code pop3_uidl_format} for the variables an import knows: {@code %u} (IMAP UID),
 * {@code %v} (UIDVALIDITY), {@code %f} (Maildir file base name), {@code %%}; each with Dovecot's
 * optional zero padding and width and its modifiers {@code X} (hexadecimal, lower case as Dovecot
 * prints it), {@code U} (upper case) and {@code L} (lower case): {@code %08Xu%08Xv}, Dovecot's
 * default, gives {@code 000000076b16b2bb}. Checked when parsed, so a bad format fails before any
 * file is read.
 */
public final class UidlFormat {

    /** Dovecot's default {@code pop3_uidl_format}. */
    public static final String DEFAULT = "%08Xu%08Xv";

    private final String format;

    private UidlFormat(String format) {
        this.format = format;
    }

    public static UidlFormat dovecotDefault() {
        return new UidlFormat(DEFAULT);
    }

    public static UidlFormat parse(String format) throws ImportFormatException {
        UidlFormat f = new UidlFormat(format);
        f.format(1, 1, "f");
        return f;
    }

    /** The UIDL Dovecot gave the message with this UID in a mailbox of this UIDVALIDITY. */
    public String format(long uid, long validity, String fileName) throws ImportFormatException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            int j = i + 1;
            boolean zero = j < format.length() && format.charAt(j) == '0';
            int width = 0;
            while (j < format.length() && Character.isDigit(format.charAt(j))) {
                width = width * 10 + (format.charAt(j++) - '0');
            }
            boolean hex = false;
            boolean upper = false;
            boolean lower = false;
            for (; j < format.length() && "XxUL".indexOf(format.charAt(j)) >= 0; j++) {
                switch (format.charAt(j)) {
                    case 'U' -> upper = true;
                    case 'L' -> lower = true;
                    default -> hex = true;
                }
            }
            if (j >= format.length()) {
                throw new ImportFormatException("UIDL format ends in the middle of a variable: " + format);
            }
            char var = format.charAt(j);
            String value = switch (var) {
                case 'u' -> hex ? Long.toHexString(uid) : Long.toString(uid);
                case 'v' -> hex ? Long.toHexString(validity) : Long.toString(validity);
                case 'f' -> fileName;
                case '%' -> "%";
                default -> throw new ImportFormatException("UIDL format variable %" + var + " is not supported"
                        + " (only %u, %v, %f with the modifiers X, U, L)");
            };
            if (upper) {
                value = value.toUpperCase(Locale.ROOT);
            } else if (lower) {
                value = value.toLowerCase(Locale.ROOT);
            }
            if (value.length() < width) {
                value = (zero ? "0" : " ").repeat(width - value.length()) + value;
            }
            sb.append(value);
            i = j;
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format;
    }
}
