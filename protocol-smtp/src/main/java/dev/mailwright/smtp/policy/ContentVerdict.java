package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.SmtpReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A content hook's answer ({@link SmtpPolicy#content}): refuse the message (a 5xx or 4xx
 * reply), or let it through with header fields to put on top, a tag for its subject, and
 * fields of the client's header to drop. {@code results} tell the hooks after this one what it
 * found (for instance {@code spf=pass}, {@code dmarc=fail}), so that a content scanner can be
 * given the authentication verdicts.
 *
 * @param check      who answered, for the log
 * @param result     {@link PolicyResult#NO_OPINION}, or a refusal ({@link PolicyResult#reject} or {@link PolicyResult#tempFail})
 * @param fields     whole header fields to prepend, in order, each without its final CRLF (continuation lines
 *                   joined by CRLF and a space or tab)
 * @param subjectTag a tag to put before the Subject (added once; a message without Subject gets one)
 * @param removes    which fields of the client's header section to drop
 * @param results    what the hook found, by name, in the order found
 */
public record ContentVerdict(String check, PolicyResult result, List<String> fields, Optional<String> subjectTag,
                             FieldFilter removes, Map<String, String> results) {

    /** Which header fields of the received content to drop. */
    @FunctionalInterface
    public interface FieldFilter {
        FieldFilter NONE = (name, value) -> false;

        /**
         * @param name  the field name as written
         * @param value the unfolded value, trimmed
         */
        boolean removes(String name, String value);

        default FieldFilter or(FieldFilter other) {
            return (name, value) -> removes(name, value) || other.removes(name, value);
        }
    }

    /** Nothing to say. */
    public static final ContentVerdict NONE = new ContentVerdict("none", PolicyResult.NO_OPINION, List.of(),
            Optional.empty(), FieldFilter.NONE, Map.of());

    public ContentVerdict {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(result, "result");
        if (result.kind() == PolicyResult.Kind.ACCEPT) {
            result = PolicyResult.NO_OPINION; // content hooks do not end the asking: every one sees the message
        }
        fields = List.copyOf(fields);
        for (String f : fields) {
            checkField(f);
        }
        subjectTag.ifPresent(ContentVerdict::checkText);
        Objects.requireNonNull(removes, "removes");
        results = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(results));
    }

    /** Lets the message through with nothing to add. */
    public static ContentVerdict pass(String check) {
        return new ContentVerdict(check, PolicyResult.NO_OPINION, List.of(), Optional.empty(), FieldFilter.NONE, Map.of());
    }

    /** Refuses the message with {@code reply} (5xx: rejected, 4xx: try again later). */
    public static ContentVerdict refuse(String check, SmtpReply reply) {
        return new ContentVerdict(check, reply.isPermanent() ? PolicyResult.reject(reply) : PolicyResult.tempFail(reply),
                List.of(), Optional.empty(), FieldFilter.NONE, Map.of());
    }

    public ContentVerdict withField(String field) {
        List<String> more = new ArrayList<>(fields);
        more.add(field);
        return new ContentVerdict(check, result, more, subjectTag, removes, results);
    }

    public ContentVerdict withSubjectTag(String tag) {
        return new ContentVerdict(check, result, fields, Optional.of(tag), removes, results);
    }

    public ContentVerdict removing(FieldFilter filter) {
        return new ContentVerdict(check, result, fields, subjectTag, removes.or(filter), results);
    }

    public ContentVerdict withResult(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(results);
        more.put(name, value);
        return new ContentVerdict(check, result, fields, subjectTag, removes, more);
    }

    /** Whether the message is refused. */
    public boolean refuses() {
        return result.refuses();
    }

    /**
     * The verdicts of several hooks as one: the first refusal, or the fields, tags, removals and
     * results of all of them in order.
     */
    public static ContentVerdict combine(List<ContentVerdict> verdicts) {
        List<String> fields = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        FieldFilter removes = FieldFilter.NONE;
        Map<String, String> results = new LinkedHashMap<>();
        for (ContentVerdict v : verdicts) {
            if (v.refuses()) {
                return v;
            }
            fields.addAll(v.fields());
            v.subjectTag().filter(t -> !tags.contains(t)).ifPresent(tags::add);
            if (v.removes() != FieldFilter.NONE) {
                removes = removes.or(v.removes());
            }
            results.putAll(v.results());
        }
        return new ContentVerdict("combined", PolicyResult.NO_OPINION, fields,
                tags.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", tags)), removes, results);
    }

    /** A header field: a name, a colon, and lines joined only by CRLF followed by a space or tab. */
    private static void checkField(String field) {
        int colon = field.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a header field: " + field);
        }
        for (int i = 0; i < colon; i++) {
            char c = field.charAt(i);
            if (c <= ' ' || c >= 127) {
                throw new IllegalArgumentException("bad header field name: " + field.substring(0, colon));
            }
        }
        for (int i = colon; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\r') {
                if (i + 2 >= field.length() || field.charAt(i + 1) != '\n'
                        || (field.charAt(i + 2) != ' ' && field.charAt(i + 2) != '\t')) {
                    throw new IllegalArgumentException("header field with a bad line break: " + field);
                }
                i++;
            } else if (c == '\n' || c == 0) {
                throw new IllegalArgumentException("header field with a bare line feed or NUL: " + field);
            }
        }
    }

    private static void checkText(String text) {
        if (text.isBlank() || text.chars().anyMatch(c -> c < ' ' || c == 127)) {
            throw new IllegalArgumentException("bad subject tag: " + text);
        }
    }
}
