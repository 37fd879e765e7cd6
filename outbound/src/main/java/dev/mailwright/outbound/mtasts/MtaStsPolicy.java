package dev.mailwright.outbound.mtasts;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * An MTA-STS policy (RFC 8461 3.2): its mode, the MX host patterns it allows and how long it may
 * be cached. {@link #parse} reads the policy file; {@link #permits} matches an MX host name as
 * RFC 8461 4.1 says (a {@code *.} pattern stands for exactly one left-most label).
 *
 * @param mode   what a sender does when an MX does not match or has no valid certificate
 * @param mx     the allowed MX patterns, lower case, without trailing dots
 * @param maxAge how long the policy may be used from the time it was fetched
 */
public record MtaStsPolicy(Mode mode, List<String> mx, Duration maxAge) {

    /** RFC 8461 3.2: max_age is at most 31557600 seconds (one year). */
    public static final long MAX_AGE_LIMIT = 31_557_600L;

    /** The policy modes of RFC 8461 5. */
    public enum Mode {
        /** Deliver only to matching MX hosts with a valid certificate; otherwise defer. */
        ENFORCE,
        /** Deliver as without a policy, but report what enforcement would have refused (TLS-RPT). */
        TESTING,
        /** The domain has withdrawn its policy. */
        NONE
    }

    public MtaStsPolicy {
        mx = List.copyOf(mx);
    }

    /** The policy file is not a valid STSv1 policy. */
    public static final class InvalidPolicyException extends Exception {
        private static final long serialVersionUID = 1L;

        public InvalidPolicyException(String message) {
            super(message);
        }
    }

    /**
     * Parses a policy file: {@code key: value} lines ended by CRLF or LF; {@code version: STSv1},
     * {@code mode} and {@code max_age} required, {@code mx} at least once unless the mode is
     * {@code none}; unknown keys are ignored, and of a repeated key other than {@code mx} the
     * first counts.
     */
    public static MtaStsPolicy parse(String text) throws InvalidPolicyException {
        String version = null;
        String mode = null;
        String maxAge = null;
        List<String> mx = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String raw : text.split("\r?\n", -1)) {
            if (raw.isEmpty()) {
                continue;
            }
            int colon = raw.indexOf(':');
            if (colon <= 0) {
                throw new InvalidPolicyException("policy line without a key: " + shorten(raw));
            }
            String key = raw.substring(0, colon).trim();
            String value = raw.substring(colon + 1).trim();
            if (key.equals("mx")) {
                mx.add(pattern(value));
                continue;
            }
            if (!seen.add(key)) {
                continue; // RFC 8461 3.2: the first instance of a key counts
            }
            switch (key) {
                case "version" -> version = value;
                case "mode" -> mode = value;
                case "max_age" -> maxAge = value;
                default -> {
                    // extension keys are ignored
                }
            }
        }
        if (!"STSv1".equals(version)) {
            throw new InvalidPolicyException("policy version is not STSv1: " + (version == null ? "missing" : shorten(version)));
        }
        Mode m;
        if ("enforce".equals(mode)) {
            m = Mode.ENFORCE;
        } else if ("testing".equals(mode)) {
            m = Mode.TESTING;
        } else if ("none".equals(mode)) {
            m = Mode.NONE;
        } else {
            throw new InvalidPolicyException("policy mode is not enforce, testing or none: "
                    + (mode == null ? "missing" : shorten(mode)));
        }
        if (maxAge == null || maxAge.isEmpty() || maxAge.length() > 10 || !maxAge.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new InvalidPolicyException("policy max_age is not a number of seconds: "
                    + (maxAge == null ? "missing" : shorten(maxAge)));
        }
        long seconds = Math.min(Long.parseLong(maxAge), MAX_AGE_LIMIT);
        if (mx.isEmpty() && m != Mode.NONE) {
            throw new InvalidPolicyException("policy has no mx line");
        }
        return new MtaStsPolicy(m, mx, Duration.ofSeconds(seconds));
    }

    private static String pattern(String value) throws InvalidPolicyException {
        String p = value.toLowerCase(Locale.ROOT);
        if (p.endsWith(".")) {
            p = p.substring(0, p.length() - 1);
        }
        String name = p.startsWith("*.") ? p.substring(2) : p;
        if (name.isEmpty() || name.contains("*") || !name.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
            throw new InvalidPolicyException("policy mx is not a host name pattern: " + shorten(value));
        }
        return p;
    }

    /**
     * The policy as lines of its file, in a canonical order ({@code version}, {@code mode}, each
     * {@code mx}, {@code max_age}): the {@code policy-string} of a TLS report (RFC 8460 4.4).
     */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add("version: STSv1");
        lines.add("mode: " + mode.name().toLowerCase(Locale.ROOT));
        mx.forEach(m -> lines.add("mx: " + m));
        lines.add("max_age: " + maxAge.toSeconds());
        return lines;
    }

    /** Whether an MX host name matches one of the policy's patterns (RFC 8461 4.1). */
    public boolean permits(String mxHost) {
        String host = mxHost.toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        for (String p : mx) {
            if (p.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot + 1).equals(p.substring(2))) {
                    return true;
                }
            } else if (host.equals(p)) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
