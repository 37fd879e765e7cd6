package dev.mailwright.smtp.delivery;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The header fields the server adds. Every piece that came from the client (HELO name,
 * addresses) was validated before it got here, and is checked again for CR, LF and other
 * controls: a header is never split or forged through them.
 */
public final class TraceHeaders {

    /** RFC 5322 date-time, numeric zone. */
    public static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

    private TraceHeaders() {
    }

    /**
     * The Received field (RFC 5321 4.4) with the RFC 3848 / RFC 6531 protocol keyword
     * ({@code ESMTPSA}, {@code UTF8SMTPS} and so on) and the TLS version and cipher in a comment.
     */
    public static String received(SessionInfo session, String hostname, String id, MailFrom from,
                                  List<RcptTo> recipients, ZonedDateTime when) {
        StringBuilder sb = new StringBuilder("Received: from ");
        sb.append(clean(session.heloName().orElse("unknown")))
                .append(" (").append(literal(session.clientAddress().getAddress())).append(")\r\n")
                .append("\tby ").append(clean(hostname)).append(" (Mailwright) with ").append(protocol(session, from))
                .append(" id ").append(clean(id));
        if (session.tlsProtocol().isPresent()) {
            sb.append("\r\n\t(").append(clean(session.tlsProtocol().get()));
            session.tlsCipher().ifPresent(c -> sb.append(" with cipher ").append(clean(c)));
            sb.append(')');
        }
        if (recipients.size() == 1) {
            sb.append("\r\n\tfor <").append(clean(recipients.get(0).address().toString())).append('>');
        }
        sb.append(";\r\n\t").append(DATE.format(when)).append("\r\n");
        return sb.toString();
    }

    /** {@code Return-Path: <sender>} (RFC 5321 4.4), added at final delivery. */
    public static String returnPath(MailFrom from) {
        return "Return-Path: " + clean(from.path()) + "\r\n";
    }

    /** The WITH keyword: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA (RFC 3848) or the UTF8SMTP forms (RFC 6531). */
    public static String protocol(SessionInfo session, MailFrom from) {
        if (!session.extended()) {
            return "SMTP";
        }
        return (from.smtpUtf8() ? "UTF8SMTP" : "ESMTP")
                + (session.tlsProtocol().isPresent() ? "S" : "")
                + (session.authenticatedUser().isPresent() ? "A" : "");
    }

    /** The client address as an RFC 5321 address literal. */
    public static String literal(InetAddress address) {
        if (address instanceof Inet6Address) {
            String text = address.getHostAddress();
            int zone = text.indexOf('%');
            return "[IPv6:" + (zone < 0 ? text : text.substring(0, zone)) + "]";
        }
        return "[" + address.getHostAddress() + "]";
    }

    /** Replaces anything that could end or fold a header line. */
    static String clean(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c >= 0x80 && Character.isISOControl(c) || c == 0x2028 || c == 0x2029) {
                sb.append('?');
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }
}
