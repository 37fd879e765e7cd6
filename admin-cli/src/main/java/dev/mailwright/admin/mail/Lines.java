package dev.mailwright.admin.mail;

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
    /** Read ahead from {@code in}: bytes {@code pos} to {@code limit} are not returned yet. */
    private final byte[] buf;
    private int pos;
    private int limit;
    private boolean continued;
    private boolean midLine;

    /** {@code in} need not be buffered: this reads it in blocks of 64 KiB. */
    Lines(InputStream in) {
        this(in, 64 * 1024);
    }

    /** Reads {@code in} in blocks of {@code bufferSize} octets (a small source needs no big buffer). */
    Lines(InputStream in, int bufferSize) {
        this.in = in;
        this.buf = new byte[Math.max(bufferSize, 512)];
    }

    /** The next line with its line end (or the next piece of a long line), or null at the end. */
    byte[] next() throws IOException {
        continued = midLine;
        byte[] line = null;
        int length = 0;
        while (true) {
            if (pos == limit && !fill()) {
                break;
            }
            int want = MAX_PIECE - length;
            int end = pos;
            int stop = Math.min(limit, pos + want);
            while (end < stop && buf[end] != '\n') {
                end++;
            }
            boolean lf = end < stop;
            if (lf) {
                end++;
            }
            int n = end - pos;
            line = line == null ? java.util.Arrays.copyOfRange(buf, pos, end) : append(line, length, n);
            length += n;
            pos = end;
            if (lf) {
                midLine = false;
                return line;
            }
            if (length == MAX_PIECE) {
                midLine = true;
                return line;
            }
        }
        midLine = false;
        return line;
    }

    private byte[] append(byte[] line, int length, int n) {
        byte[] longer = java.util.Arrays.copyOf(line, length + n);
        System.arraycopy(buf, pos, longer, length, n);
        return longer;
    }

    private boolean fill() throws IOException {
        int n = in.read(buf, 0, buf.length);
        pos = 0;
        limit = Math.max(n, 0);
        return n > 0;
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
