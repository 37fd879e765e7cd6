package dev.mailwright.admin.mail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reads raw lines (bytes up to and including LF) from a stream; a last line may lack the LF. */
final class Lines {

    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

    Lines(InputStream in) {
        this.in = in;
    }

    /** The next line with its line end, or null at the end. */
    byte[] next() throws IOException {
        line.reset();
        int c;
        while ((c = in.read()) >= 0) {
            line.write(c);
            if (c == '\n') {
                break;
            }
        }
        return line.size() == 0 ? null : line.toByteArray();
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
