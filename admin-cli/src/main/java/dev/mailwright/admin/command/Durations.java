package dev.mailwright.admin.command;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Ages on the command line: {@code 90s}, {@code 30m}, {@code 12h}, {@code 30d}, {@code 2w}, or ISO-8601 ({@code P30D}). */
final class Durations {

    private static final Pattern SHORT = Pattern.compile("(\\d{1,9})\\s*(s|m|min|h|d|w)", Pattern.CASE_INSENSITIVE);

    private Durations() {
    }

    static Duration parse(String text) {
        Matcher m = SHORT.matcher(text.strip());
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "s" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
        }
        try {
            Duration d = Duration.parse(text.strip().toUpperCase(Locale.ROOT));
            if (!d.isNegative()) {
                return d;
            }
        } catch (DateTimeParseException e) {
            // below
        }
        throw AdminException.user("malformed age: " + text + " (examples: 30d, 12h, 2w, P30D)");
    }
}
