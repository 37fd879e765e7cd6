package dev.mailwright.filter.rspamd;

import java.util.List;
import java.util.Optional;

/**
 * What rspamd answered for one message.
 *
 * @param action        rspamd's action ({@code no action}, {@code add header}, {@code reject}, ...)
 * @param score         the message's score
 * @param requiredScore the score of rspamd's reject action
 * @param symbols       the names of the rules that matched
 * @param smtpMessage   the reply text rspamd suggests, if any
 */
public record RspamdResult(String action, double score, double requiredScore, List<String> symbols,
                           Optional<String> smtpMessage) {

    public RspamdResult {
        symbols = List.copyOf(symbols);
    }
}
