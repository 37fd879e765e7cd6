package dev.mailwright.mailauth;

import java.util.Locale;

/** What is done with a message that a check found wanting, mildest first. */
public enum Action {
    /** Only recorded, in Authentication-Results. */
    MARK,
    /** Accepted with an {@code X-Mailwright-Quarantine} field and the subject tag, if one is configured (POP3 has no folders). */
    QUARANTINE,
    /** Refused at the end of data with {@code 550}. */
    REJECT;

    public static Action parse(String text) {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
    }

    Action atLeast(Action other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
