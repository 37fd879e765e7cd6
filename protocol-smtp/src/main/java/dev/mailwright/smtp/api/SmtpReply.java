package dev.mailwright.smtp.api;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One SMTP reply: a three-digit code, an enhanced status code (RFC 3463, may be null for the
 * greeting, EHLO/HELO and the intermediate 334/354 replies) and one or more text lines.
 * Immutable; {@link #format()} writes it exactly as RFC 5321 section 4.2 says: every line but
 * the last is {@code code-text}, the last {@code code SP text}, each ended by CRLF, the
 * enhanced code at the start of the text of every line (RFC 2034).
 */
public record SmtpReply(int code, String enhanced, List<String> lines) implements SmtpResponse {

    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    public static final SmtpReply OK = of(250, "2.0.0", "Ok");
    public static final SmtpReply SENDER_OK = of(250, "2.1.0", "Sender ok");
    public static final SmtpReply RECIPIENT_OK = of(250, "2.1.5", "Recipient ok");
    public static final SmtpReply BYE = of(221, "2.0.0", "Bye");
    public static final SmtpReply START_MAIL_INPUT = of(354, null, "End data with <CR><LF>.<CR><LF>");
    public static final SmtpReply READY_FOR_TLS = of(220, "2.0.0", "Ready to start TLS");
    public static final SmtpReply HELP = multi(214, "2.0.0", List.of(
            "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY EXPN HELP STARTTLS AUTH",
            "See RFC 5321 and https://mailwright.dev/ for details"));
    public static final SmtpReply VRFY = of(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
    public static final SmtpReply AUTH_OK = of(235, "2.7.0", "Authentication successful");

    public static final SmtpReply SERVICE_UNAVAILABLE = of(421, "4.3.2", "Service not available, closing transmission channel");
    public static final SmtpReply TIMEOUT = of(421, "4.4.2", "Timeout, closing transmission channel");
    public static final SmtpReply TOO_MANY_ERRORS = of(421, "4.7.0", "Too many errors, closing transmission channel");
    public static final SmtpReply TOO_MANY_AUTH_FAILURES = of(421, "4.7.0", "Too many authentication failures, closing transmission channel");
    public static final SmtpReply LOCAL_ERROR = of(451, "4.3.0", "Temporary local problem, please try again later");
    public static final SmtpReply TOO_MANY_RECIPIENTS = of(452, "4.5.3", "Too many recipients");
    public static final SmtpReply MAILBOX_FULL = of(452, "4.2.2", "Mailbox full, try again later");
    public static final SmtpReply TLS_NOT_AVAILABLE = of(454, "4.7.0", "TLS not available");
    /** RFC 4954's temporary failure: the throttle refused the attempt before looking at it. */
    public static final SmtpReply AUTH_REFUSED = of(454, "4.7.0", "Too many failed authentications, try again later");

    public static final SmtpReply COMMAND_UNRECOGNIZED = of(500, "5.5.2", "Syntax error, command unrecognized");
    public static final SmtpReply LINE_TOO_LONG = of(500, "5.5.6", "Line too long");
    public static final SmtpReply BARE_LF_IN_COMMAND = of(500, "5.5.2", "Bare <LF> in command line, lines must end with <CR><LF>");
    public static final SmtpReply BARE_CR_IN_COMMAND = of(500, "5.5.2", "Bare <CR> in command line, lines must end with <CR><LF>");
    public static final SmtpReply INVALID_UTF8 = of(500, "5.5.2", "Command line is not valid UTF-8");
    public static final SmtpReply NO_ARGUMENTS_ALLOWED = of(501, "5.5.4", "Syntax error, no parameters allowed");
    public static final SmtpReply AUTH_CANCELLED = of(501, "5.0.0", "Authentication cancelled");
    public static final SmtpReply INVALID_BASE64 = of(501, "5.5.2", "Invalid base64 data");
    public static final SmtpReply NOT_IMPLEMENTED = of(502, "5.5.1", "Command not implemented");
    public static final SmtpReply EXPN = of(502, "5.5.1", "EXPN not available");
    public static final SmtpReply BAD_SEQUENCE = of(503, "5.5.1", "Bad sequence of commands");
    public static final SmtpReply HELO_FIRST = of(503, "5.5.1", "Send HELO/EHLO first");
    public static final SmtpReply MAIL_FIRST = of(503, "5.5.1", "Need MAIL command");
    public static final SmtpReply RCPT_FIRST = of(503, "5.5.1", "Need RCPT command");
    public static final SmtpReply NESTED_MAIL = of(503, "5.5.1", "Nested MAIL command");
    public static final SmtpReply AUTH_REQUIRED = of(530, "5.7.0", "Authentication required");
    public static final SmtpReply STARTTLS_FIRST = of(530, "5.7.0", "Must issue a STARTTLS command first");
    public static final SmtpReply AUTH_FAILED = of(535, "5.7.8", "Authentication credentials invalid");
    public static final SmtpReply NO_SUCH_USER = of(550, "5.1.1", "Recipient address rejected: no such mailbox here");
    public static final SmtpReply RELAY_DENIED = of(550, "5.7.1", "Relaying denied");
    public static final SmtpReply BARE_LF_IN_DATA = of(550, "5.6.0",
            "Message rejected: bare <LF> in message data, lines must end with <CR><LF>");
    public static final SmtpReply BARE_CR_IN_DATA = of(550, "5.6.0",
            "Message rejected: bare <CR> in message data, lines must end with <CR><LF>");
    public static final SmtpReply MESSAGE_TOO_BIG = of(552, "5.3.4", "Message size exceeds fixed maximum message size");
    public static final SmtpReply NO_VALID_RECIPIENTS = of(554, "5.5.1", "No valid recipients");

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code out of range: " + code);
        }
        if (enhanced != null && (!ENHANCED.matcher(enhanced).matches() || enhanced.charAt(0) - '0' != code / 100)) {
            throw new IllegalArgumentException("enhanced status code " + enhanced + " does not fit reply code " + code);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply needs at least one line");
        }
        List<String> clean = new ArrayList<>(lines.size());
        for (String line : lines) {
            clean.add(printable(line));
        }
        lines = List.copyOf(clean);
    }

    public static SmtpReply of(int code, String enhanced, String text) {
        return new SmtpReply(code, enhanced, List.of(text));
    }

    public static SmtpReply multi(int code, String enhanced, List<String> lines) {
        return new SmtpReply(code, enhanced, lines);
    }

    /** 2xx and 3xx. */
    public boolean isPositive() {
        return code < 400;
    }

    /** 4xx: the client may try again later. */
    public boolean isTransient() {
        return code >= 400 && code < 500;
    }

    /** 5xx. */
    public boolean isPermanent() {
        return code >= 500;
    }

    /** The same reply with another text (one line), keeping code and enhanced code. */
    public SmtpReply withText(String text) {
        return new SmtpReply(code, enhanced, List.of(text));
    }

    /** The reply as sent on the wire, CRLF after every line. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            sb.append(code).append(i == lines.size() - 1 ? ' ' : '-');
            if (enhanced != null) {
                sb.append(enhanced);
                if (!lines.get(i).isEmpty()) {
                    sb.append(' ');
                }
            }
            sb.append(lines.get(i)).append("\r\n");
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        String f = format();
        return f.substring(0, f.length() - 2).replace("\r\n", " / ");
    }

    /** Reply text never carries CR, LF or other controls, whatever a caller passed in. */
    private static String printable(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return sb.toString();
    }
}
