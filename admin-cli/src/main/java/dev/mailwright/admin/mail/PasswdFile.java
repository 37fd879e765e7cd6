package dev.mailwright.admin.mail;

import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.Quota;
import dev.mailwright.password.PasswordHashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Dovecot passwd-file: {@code user:password:uid:gid:gecos:home:shell:extra}, one user a
 * line, {@code #} comments and blank lines ignored. The password is a {@code {SCHEME}} hash (or
 * a bare crypt(3) one) that {@link PasswordHashing#refusal(String)} accepts: a known scheme,
 * within the cost caps; Dovecot's {@code .HEX} and {@code .B64} encodings of the digest schemes
 * are turned into the plain scheme's base64. A user without a domain gets {@code defaultDomain}.
 *
 * <p>Of the extra fields, {@code nologin} makes the account disabled, {@code [userdb_]quota_rule}
 * of the form {@code *:storage=SIZE} or {@code *:messages=N} its quota; every other extra field
 * (such as {@code allow_nets}) is named in a {@link Entry#notes() note}, never dropped silently.
 * A line whose scheme is not supported is {@link Result#rejected() rejected} alone; any other bad
 * line refuses the whole file.
 */
public final class PasswdFile {

    /**
     * One user: the line it came from, the address, the hash to store, whether it may log in,
     * its quota if the file gave one, and what of the line is not carried over.
     */
    public record Entry(int line, Address address, String hash, boolean enabled, Optional<Quota> quota,
                        List<String> notes) {
    }

    /** The users to import, and the lines left out (each {@code line N: user: why}). */
    public record Result(List<Entry> entries, List<String> rejected) {
    }

    private static final Pattern ENCODED = Pattern.compile("\\{([A-Z0-9-]+)\\.(HEX|B64|BASE64)}(.*)",
            Pattern.CASE_INSENSITIVE);
    private static final Set<String> DIGEST_SCHEMES = Set.of("SSHA512", "SSHA256", "SSHA", "SHA512", "SHA256", "SHA",
            "SHA1");
    private static final Pattern QUOTA_RULE = Pattern.compile("\\*:(storage|bytes|messages)=(\\d+)([kmgt]?)b?",
            Pattern.CASE_INSENSITIVE);

    private PasswdFile() {
    }

    public static Result read(Path file, Optional<String> defaultDomain) throws IOException, ImportFormatException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<Entry> out = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            int n = i + 1;
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length < 2 || f[0].isBlank()) {
                throw new ImportFormatException(file + ": line " + n + ": expected user:password[:...]");
            }
            // a bare crypt hash may itself hold no colon, but a {SCHEME} one never does either: field 2 is the hash
            String user = f[0].strip();
            String hash = decodeEncoding(f[1].strip());
            Address address;
            try {
                if (user.contains("@")) {
                    address = Address.parse(user);
                } else if (defaultDomain.isPresent()) {
                    address = new Address(user, defaultDomain.get());
                } else {
                    throw new ImportFormatException(file + ": line " + n + ": user " + user
                            + " has no domain; give --domain");
                }
            } catch (InvalidInputException e) {
                throw new ImportFormatException(file + ": line " + n + ": " + e.getMessage());
            }
            if (hash.isEmpty()) {
                throw new ImportFormatException(file + ": line " + n + ": " + address + " has no password hash");
            }
            Optional<String> refused = PasswordHashing.refusal(hash);
            if (refused.isPresent() && refused.get().endsWith(" is not a supported password scheme")) {
                rejected.add("line " + n + ": " + address + ": " + refused.get());
                continue;
            }
            if (refused.isPresent()) {
                throw new ImportFormatException(file + ": line " + n + ": " + address + ": " + refused.get());
            }
            Integer earlier = seen.putIfAbsent(address.key(), n);
            if (earlier != null) {
                throw new ImportFormatException(file + ": line " + n + ": " + address + " repeats line " + earlier);
            }
            String extra = f.length > 7 ? String.join(":", java.util.Arrays.copyOfRange(f, 7, f.length)).strip() : "";
            out.add(entry(n, address, hash, extra));
        }
        return new Result(out, rejected);
    }

    /** The extra fields Mailwright has a place for; notes for the others. */
    private static Entry entry(int line, Address address, String hash, String extra) {
        boolean enabled = true;
        Optional<Quota> quota = Optional.empty();
        List<String> notes = new ArrayList<>();
        Optional<String> reason = Optional.empty();
        for (String field : extra.isEmpty() ? new String[0] : extra.split("\\s+")) {
            int eq = field.indexOf('=');
            String key = (eq < 0 ? field : field.substring(0, eq)).toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "" : field.substring(eq + 1);
            switch (key) {
                case "nologin" -> enabled = false;
                case "reason" -> reason = Optional.of(value);
                case "quota_rule", "userdb_quota_rule" -> {
                    Optional<Quota> q = quota(value, quota.orElse(new Quota(0, 0)));
                    if (q.isPresent()) {
                        quota = q;
                    } else {
                        notes.add(field + " not carried over: only *:storage=SIZE and *:messages=N are understood");
                    }
                }
                case "allow_nets" -> notes.add(field + " not carried over: Mailwright has no per-user network"
                        + " restriction, the user can log in from anywhere");
                default -> notes.add(field + " ignored");
            }
        }
        if (!enabled) {
            notes.add(0, "nologin: imported disabled" + reason.map(r -> " (reason: " + r + ")").orElse(""));
        } else if (reason.isPresent()) {
            notes.add("reason=" + reason.get() + " ignored");
        }
        return new Entry(line, address, hash, enabled, quota, List.copyOf(notes));
    }

    /** Dovecot's {@code *:storage=100M} (kilobytes without a unit, as Dovecot reads it) or {@code *:messages=N}. */
    private static Optional<Quota> quota(String rule, Quota before) {
        Matcher m = QUOTA_RULE.matcher(rule);
        if (!m.matches()) {
            return Optional.empty();
        }
        long n = Long.parseLong(m.group(2));
        if (m.group(1).equalsIgnoreCase("messages")) {
            return Optional.of(new Quota(before.maxBytes(), n));
        }
        long unit = switch (m.group(3).toLowerCase(Locale.ROOT)) {
            case "" -> m.group(1).equalsIgnoreCase("bytes") ? 1 : 1024;
            case "k" -> 1024;
            case "m" -> 1024L * 1024;
            case "g" -> 1024L * 1024 * 1024;
            default -> 1024L * 1024 * 1024 * 1024;
        };
        return Optional.of(new Quota(n * unit, before.maxMessages()));
    }

    /** {@code {SSHA512.HEX}hex} to {@code {SSHA512}base64}: the same bytes in the encoding the scheme has without suffix. */
    static String decodeEncoding(String hash) {
        Matcher m = ENCODED.matcher(hash);
        if (!m.matches() || !DIGEST_SCHEMES.contains(m.group(1).toUpperCase(Locale.ROOT))) {
            return hash;
        }
        try {
            byte[] raw = m.group(2).equalsIgnoreCase("HEX") ? HexFormat.of().parseHex(m.group(3).strip())
                    : Base64.getDecoder().decode(m.group(3).strip());
            return "{" + m.group(1).toUpperCase(Locale.ROOT) + "}" + Base64.getEncoder().encodeToString(raw);
        } catch (IllegalArgumentException e) {
            return hash; // malformed: the scheme check names it
        }
    }
}
