package dev.mailwright.outbound.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Stored content as it goes on the wire, block by block: every line ends in CRLF (a bare LF
 * gets its CR, a last line without a line end gets one), and for DATA a line that begins with
 * {@code .} gets another one and {@code .CRLF} ends the data (RFC 5321 4.5.2). The same result
 * as {@code DotStuffing.stuff(WireFormat.normalize(in))}, without a method call per octet.
 */
public final class WireEncoder extends InputStream {

    private static final int BLOCK = 32 * 1024;

    private final InputStream in;
    private final boolean stuff;
    private final byte[] block = new byte[BLOCK];
    private final byte[] out = new byte[2 * BLOCK + 8];
    private int outPos;
    private int outLen;
    private int last = '\n';
    private boolean done;

    /** @param stuff dot-stuff and end with {@code .CRLF} (for DATA); otherwise only fix line ends */
    public WireEncoder(InputStream stored, boolean stuff) {
        this.in = stored;
        this.stuff = stuff;
    }

    @Override
    public int read() throws IOException {
        while (outPos >= outLen) {
            if (!fill()) {
                return -1;
            }
        }
        return out[outPos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (outPos >= outLen) {
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, outLen - outPos);
        System.arraycopy(out, outPos, b, off, n);
        outPos += n;
        return n;
    }

    private boolean fill() throws IOException {
        if (done) {
            return false;
        }
        outPos = 0;
        outLen = 0;
        int n = in.read(block, 0, BLOCK);
        if (n < 0) {
            done = true;
            if (last != '\n') {
                out[outLen++] = '\r';
                out[outLen++] = '\n';
            }
            if (stuff) {
                out[outLen++] = '.';
                out[outLen++] = '\r';
                out[outLen++] = '\n';
            }
            return outLen > 0;
        }
        int l = last;
        int o = 0;
        for (int i = 0; i < n; i++) {
            byte c = block[i];
            if (c == '\n' && l != '\r') {
                out[o++] = '\r';
            } else if (c == '.' && l == '\n' && stuff) {
                out[o++] = '.';
            }
            out[o++] = c;
            l = c & 0xff;
        }
        last = l;
        outLen = o;
        return true; // possibly empty (a read of 0): the caller loops
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
