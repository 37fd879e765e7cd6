package dev.mailwright.mailauth.dkim;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** A tag=value list (RFC 6376 3.2): names are case-sensitive, values trimmed of folding white space. */
final class TagList {

    private final Map<String, String> tags;

    private TagList(Map<String, String> tags) {
        this.tags = tags;
    }

    /** @throws IllegalArgumentException for a malformed list or a tag given twice */
    static TagList parse(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String spec : text.split(";", -1)) {
            String s = spec.replace("\r\n", "").strip();
            if (s.isEmpty()) {
                continue; // a trailing ';' is allowed
            }
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed tag " + s);
            }
            String name = s.substring(0, eq).strip();
            if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("malformed tag name " + name);
            }
            if (tags.put(name, s.substring(eq + 1).strip()) != null) {
                throw new IllegalArgumentException("tag " + name + " given twice");
            }
        }
        return new TagList(tags);
    }

    Optional<String> get(String name) {
        return Optional.ofNullable(tags.get(name));
    }

    String require(String name) {
        String v = tags.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing tag " + name + "=");
        }
        return v;
    }

    /** The value with all white space removed (base64 and lists may be folded anywhere). */
    static String compact(String value) {
        return value.replaceAll("[ \t\r\n]", "");
    }

    String lower(String name, String otherwise) {
        return get(name).map(v -> v.toLowerCase(Locale.ROOT)).orElse(otherwise);
    }

    /** The first tag of the list, to check that {@code v=} comes first where it must. */
    String first() {
        return tags.isEmpty() ? "" : tags.keySet().iterator().next();
    }
}
