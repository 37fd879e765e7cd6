package dev.mailwright.outbound.internal;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A reply from the remote server: the code and its text lines (without the code). */
public record Reply(int code, List<String> lines) {

    private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s|$)");

    public Reply {
        lines = List.copyOf(lines);
    }

    public boolean isPositive() {
        return code >= 200 && code < 400;
    }

    public boolean isTemporary() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanent() {
        return code >= 500;
    }

    /** The enhanced status code of the first line (RFC 3463), or one made from the basic code. */
    public String status() {
        if (!lines.isEmpty()) {
            Matcher m = ENHANCED.matcher(lines.get(0));
            if (m.find()) {
                return m.group(1) + "." + m.group(2) + "." + m.group(3);
            }
        }
        return (code / 100) + ".0.0";
    }

    /** The reply on one line, for logs, the queue's last error and DSN diagnostic codes. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(code);
        for (String l : lines) {
            sb.append(' ').append(l);
        }
        return sanitize(sb.toString());
    }

    /** Printable ASCII only, at most 400 characters (a remote server's text goes into our queue and DSNs). */
    public static String sanitize(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), 400));
        for (int i = 0; i < s.length() && sb.length() < 400; i++) {
            char c = s.charAt(i);
            sb.append(c >= ' ' && c < 0x7f ? c : '?');
        }
        return sb.toString();
    }
}
