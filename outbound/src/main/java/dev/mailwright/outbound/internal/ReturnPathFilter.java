package dev.mailwright.outbound.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Drops every {@code Return-Path} field (with its continuation lines) from the header section
 * of a message (lines end in CRLF or a bare LF): the receiving MTA adds its own (RFC 5321 4.4),
 * and a stale one would mislead. The body passes through untouched. Memory: one header line.
 */
public final class ReturnPathFilter extends InputStream {

    private static final byte[] NAME = "return-path:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final InputStream in;
    private boolean body;
    private boolean dropping;
    private byte[] pending = new byte[0];
    private int pos;

    public ReturnPathFilter(InputStream stored) {
        this.in = stored;
    }

    @Override
    public int read() throws IOException {
        while (pos >= pending.length) {
            if (body) {
                return in.read();
            }
            if (!nextHeaderLine()) {
                return -1;
            }
        }
        return pending[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (pos >= pending.length) {
            if (body) {
                return in.read(b, off, len);
            }
            if (!nextHeaderLine()) {
                return -1;
            }
        }
        int n = Math.min(len, pending.length - pos);
        System.arraycopy(pending, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Reads one header line into {@code pending} (empty if dropped); false at end of input. */
    private boolean nextHeaderLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            line.write(c);
            if (c == '\n') {
                break;
            }
        }
        byte[] bytes = line.toByteArray();
        if (bytes.length == 0) {
            return false;
        }
        boolean continuation = bytes[0] == ' ' || bytes[0] == '\t';
        if (isBlank(bytes)) {
            body = true;
            dropping = false;
        } else if (!continuation) {
            dropping = startsWithName(bytes);
        }
        pending = dropping ? new byte[0] : bytes;
        pos = 0;
        return true;
    }

    private static boolean isBlank(byte[] line) {
        return (line.length == 2 && line[0] == '\r' && line[1] == '\n') || (line.length == 1 && line[0] == '\n');
    }

    private static boolean startsWithName(byte[] line) {
        if (line.length < NAME.length) {
            return false;
        }
        for (int i = 0; i < NAME.length; i++) {
            int c = line[i] & 0xff;
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != NAME[i]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
