package dev.mailwright.pop3.session;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One reply, as a value: status line, optional multi-line part (lines or a streamed body in
 * wire form, both dot-stuffed by the writer), and what happens after it is sent.
 *
 * @param status  {@code +OK}, {@code -ERR} or a SASL continuation {@code +}
 * @param code    an RFC 2449 response code without brackets, such as {@code IN-USE}
 * @param text    human-readable text
 * @param lines   multi-line body lines (without CRLF), or empty
 * @param body    a streamed multi-line body in wire form (CRLF lines), or empty
 * @param delay   how long to hold the reply (after a failed login)
 * @param then    what the connection does after the reply
 * @param bad     whether this answers bad input (counts towards the bad-command limit)
 */
public record Pop3Reply(Status status, Optional<String> code, String text, Optional<List<String>> lines,
                        Optional<InputStream> body, Duration delay, Then then, boolean bad) {

    public enum Status { OK, ERR, CONTINUE }

    public enum Then { NOTHING, CLOSE, START_TLS }

    public static final Pop3Reply NOOP = ok("");

    public static Pop3Reply ok(String text) {
        return new Pop3Reply(Status.OK, Optional.empty(), text, Optional.empty(), Optional.empty(), Duration.ZERO,
                Then.NOTHING, false);
    }

    public static Pop3Reply ok(String text, List<String> lines) {
        return new Pop3Reply(Status.OK, Optional.empty(), text, Optional.of(List.copyOf(lines)), Optional.empty(),
                Duration.ZERO, Then.NOTHING, false);
    }

    public static Pop3Reply ok(String text, InputStream wireForm) {
        return new Pop3Reply(Status.OK, Optional.empty(), text, Optional.empty(), Optional.of(wireForm), Duration.ZERO,
                Then.NOTHING, false);
    }

    public static Pop3Reply err(String text) {
        return new Pop3Reply(Status.ERR, Optional.empty(), text, Optional.empty(), Optional.empty(), Duration.ZERO,
                Then.NOTHING, false);
    }

    public static Pop3Reply err(String code, String text) {
        return new Pop3Reply(Status.ERR, Optional.of(code), text, Optional.empty(), Optional.empty(), Duration.ZERO,
                Then.NOTHING, false);
    }

    /** A {@code -ERR} for bad input: counts towards the bad-command limit. */
    public static Pop3Reply bad(String text) {
        return new Pop3Reply(Status.ERR, Optional.empty(), text, Optional.empty(), Optional.empty(), Duration.ZERO,
                Then.NOTHING, true);
    }

    public static Pop3Reply challenge(String base64) {
        return new Pop3Reply(Status.CONTINUE, Optional.empty(), base64, Optional.empty(), Optional.empty(),
                Duration.ZERO, Then.NOTHING, false);
    }

    public Pop3Reply then(Then next) {
        return new Pop3Reply(status, code, text, lines, body, delay, next, bad);
    }

    public Pop3Reply delayed(Duration d) {
        return new Pop3Reply(status, code, text, lines, body, d, then, bad);
    }

    public Pop3Reply counted() {
        return new Pop3Reply(status, code, text, lines, body, delay, then, true);
    }

    public boolean isOk() {
        return status == Status.OK;
    }

    /** The status line without CRLF. */
    public String statusLine() {
        StringBuilder b = new StringBuilder(switch (status) {
            case OK -> "+OK";
            case ERR -> "-ERR";
            case CONTINUE -> "+";
        });
        code.ifPresent(c -> b.append(" [").append(c).append(']'));
        if (!text.isEmpty() || status == Status.CONTINUE) {
            b.append(' ').append(text);
        }
        return b.toString();
    }
}
