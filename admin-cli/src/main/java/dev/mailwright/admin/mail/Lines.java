package dev.mailwright.admin.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads raw lines (bytes up to and including LF) from a stream; a last line may lack the LF.
 * A line longer than {@link #MAX_PIECE} octets comes in pieces of at most that many, so a
 * message that is one huge line is never held whole; {@link #continued()} tells the later
 * pieces of a line from the start of one.
 */
final class Lines {

    static final int MAX_PIECE = 64 * 1024;

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean continued;
    private boolean midLine;

    Lines(InputStream in) {
        this.in = in;
    }

    /** The next line with its line end (or the next piece of a long line), or null at the end. */
    byte[] next() throws IOException {
        line.reset();
        continued = midLine;
        int c = -1;
        while (line.size() < MAX_PIECE && (c = in.read()) >= 0) {
            line.write(c);
            if (c == '\n') {
                break;
            }
        }
        midLine = line.size() == MAX_PIECE && c != '\n';
        return line.size() == 0 ? null : line.toByteArray();
    }

    /** Whether what {@link #next()} returned last is a later piece of a long line, not the start of a line. */
    boolean continued() {
        return continued;
    }

    static boolean isBlank(byte[] l) {
        return (l.length == 1 && l[0] == '\n') || (l.length == 2 && l[0] == '\r' && l[1] == '\n');
    }

    static boolean startsWith(byte[] l, int from, String prefix) {
        if (l.length - from < prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (l[from + i] != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static String hex(byte[] digest) {
        StringBuilder sb = new StringBuilder(digest.length * 2);
        for (byte b : digest) {
            sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return sb.toString();
    }

    static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
