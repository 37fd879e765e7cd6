package dev.mailwright.smtp.command;

import java.util.Optional;

/** xtext (RFC 3461 section 4): printable ASCII except {@code +} and {@code =}, which travel as {@code +XX}. */
public final class Xtext {

    private Xtext() {
    }

    /** The decoded text, or empty when the input is not xtext (or decodes to a control character). */
    public static Optional<String> decode(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                if (i + 2 >= text.length()) {
                    return Optional.empty();
                }
                int hi = hex(text.charAt(i + 1));
                int lo = hex(text.charAt(i + 2));
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                int v = hi * 16 + lo;
                if (v < 0x20 || v > 0x7e) { // RFC 3461 4.4: graphic and white space; a space travels as +20
                    return Optional.empty();
                }
                sb.append((char) v);
                i += 2;
            } else if (c < 0x21 || c > 0x7e || c == '=') {
                return Optional.empty();
            } else {
                sb.append(c);
            }
        }
        return Optional.of(sb.toString());
    }

    /** Encodes printable ASCII as xtext. */
    public static String encode(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            if (c < 0x21 || c > 0x7e || c == '+' || c == '=') {
                sb.append('+').append(String.format("%02X", (int) c & 0xff));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
