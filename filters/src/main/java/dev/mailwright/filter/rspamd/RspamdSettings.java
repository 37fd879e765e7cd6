package dev.mailwright.filter.rspamd;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How Mailwright asks rspamd and what it does with the answer.
 *
 * @param url          the normal worker, e.g. {@code http://127.0.0.1:11333} ({@code /checkv2} is added)
 * @param timeout      for connecting and for the whole answer; past it the failure rule applies
 * @param failOpen     when rspamd cannot answer: true accepts the message (marked as unchecked,
 *                     logged), false answers {@code 451 4.3.0} so that the client tries again later
 * @param actions      rspamd's action names ({@code reject}, {@code soft reject}, {@code rewrite subject},
 *                     {@code add header}, {@code greylist}, {@code no action}) to what we do; an action
 *                     not in the map is {@link Outcome#ACCEPT}
 * @param subjectTag   put in front of the Subject for {@link Outcome#SUBJECT_TAG}
 * @param maxSize      larger messages are not sent to rspamd (accepted, marked as not scanned)
 */
public record RspamdSettings(URI url, Duration timeout, boolean failOpen, Map<String, Outcome> actions,
                             String subjectTag, long maxSize) {

    /** What an rspamd action does here. */
    public enum Outcome {
        /** {@code 550 5.7.1}: the message is refused. */
        REJECT,
        /** {@code 451 4.7.1}: the client may try again later. */
        SOFT_REJECT,
        /** Accepted, marked as spam, with the subject tag. */
        SUBJECT_TAG,
        /** Accepted, marked as spam ({@code X-Spam: Yes}). */
        ADD_HEADER,
        /** Accepted, with the score header only. */
        ACCEPT;

        /** The configuration's name: {@code soft-reject}, {@code subject-tag}, ... */
        public String configName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        public static Outcome fromConfig(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /** rspamd's actions mapped as rspamd means them; {@code greylist} is accepted (we greylist at RCPT ourselves). */
    public static final Map<String, Outcome> DEFAULT_ACTIONS = defaults();

    public RspamdSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(subjectTag, "subjectTag");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
        Map<String, Outcome> copy = new LinkedHashMap<>();
        actions.forEach((k, v) -> copy.put(k.trim().toLowerCase(Locale.ROOT), Objects.requireNonNull(v)));
        actions = Map.copyOf(copy);
    }

    public static RspamdSettings of(URI url) {
        return new RspamdSettings(url, Duration.ofSeconds(15), true, DEFAULT_ACTIONS, "[SPAM]", 20L * 1024 * 1024);
    }

    public RspamdSettings withTimeout(Duration t) {
        return new RspamdSettings(url, t, failOpen, actions, subjectTag, maxSize);
    }

    public RspamdSettings withFailOpen(boolean open) {
        return new RspamdSettings(url, timeout, open, actions, subjectTag, maxSize);
    }

    public RspamdSettings withActions(Map<String, Outcome> a) {
        return new RspamdSettings(url, timeout, failOpen, a, subjectTag, maxSize);
    }

    public RspamdSettings withMaxSize(long size) {
        return new RspamdSettings(url, timeout, failOpen, actions, subjectTag, size);
    }

    /** What {@code action} does. */
    public Outcome outcome(String action) {
        return actions.getOrDefault(action.trim().toLowerCase(Locale.ROOT), Outcome.ACCEPT);
    }

    private static Map<String, Outcome> defaults() {
        Map<String, Outcome> m = new LinkedHashMap<>();
        m.put("reject", Outcome.REJECT);
        m.put("soft reject", Outcome.SOFT_REJECT);
        m.put("rewrite subject", Outcome.SUBJECT_TAG);
        m.put("add header", Outcome.ADD_HEADER);
        m.put("greylist", Outcome.ACCEPT);
        m.put("no action", Outcome.ACCEPT);
        return java.util.Collections.unmodifiableMap(m);
    }
}
