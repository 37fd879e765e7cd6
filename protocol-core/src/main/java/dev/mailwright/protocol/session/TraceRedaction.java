package dev.mailwright.protocol.session;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a protocol trace may show of a client's command lines, for one connection: never a
 * credential. The arguments of secret commands are redacted ({@code AUTH PLAIN <redacted>},
 * {@code PASS <redacted>}); so is every line of a SASL exchange; and after an {@code AUTH}
 * command, every line that is not a known command, until one is: a client that pipelined its
 * credentials behind an {@code AUTH} the server refused (before TLS, say) has them in those
 * lines. Not thread-safe: one per connection, used from its session's callbacks.
 */
public final class TraceRedaction {

    private static final String REDACTED = "<redacted>";

    private final Set<String> verbs;
    private final Map<String, Integer> secretArguments;
    private boolean afterAuth;

    /**
     * @param verbs           the protocol's commands, upper case
     * @param secretArguments commands whose arguments are secret, with how many of their words stay
     *                        visible (the verb counts: {@code PASS} 1, {@code AUTH} 2 for its mechanism)
     */
    public TraceRedaction(Set<String> verbs, Map<String, Integer> secretArguments) {
        this.verbs = Set.copyOf(verbs);
        this.secretArguments = Map.copyOf(secretArguments);
    }

    /** The line as the trace shows it; {@code saslResponse} when the session is in a SASL exchange. */
    public String line(String text, boolean saslResponse) {
        if (saslResponse) {
            afterAuth = true;
            return "<SASL response redacted>";
        }
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        if (verb.equals("AUTH")) {
            afterAuth = true;
        } else if (afterAuth && !verbs.contains(verb)) {
            return "<redacted: line after AUTH>";
        } else {
            afterAuth = false;
        }
        Integer visible = secretArguments.get(verb);
        return visible == null ? text : keep(text, visible);
    }

    /** The first {@code words} words of {@code text}, then the redaction mark if anything followed. */
    private static String keep(String text, int words) {
        int end = -1;
        for (int i = 0; i < words; i++) {
            end = text.indexOf(' ', end + 1);
            if (end < 0) {
                return text;
            }
        }
        return text.substring(0, end) + " " + REDACTED;
    }
}
