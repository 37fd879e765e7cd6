package dev.mailwright.protocol.codec;

import java.io.IOException;
import java.io.InputStream;

/**
 * The multi-line response form of RFC 1939 section 3 and RFC 5321 section 4.5.2: a line that
 * begins with {@code .} gets another {@code .} in front, and the data ends with {@code .CRLF}.
 * The input must already be CRLF lines ending in CRLF
 * ({@link dev.mailwright.store.content.WireFormat#normalize}).
 */
public final class DotStuffing {

    private DotStuffing() {
    }

    /** The stuffed content followed by the terminating {@code .CRLF}. */
    public static InputStream stuff(InputStream wireForm) {
        return new Stuffer(wireForm);
    }

    private static final class Stuffer extends InputStream {
        private static final byte[] END = {'.', '\r', '\n'};
        private final InputStream in;
        private boolean atLineStart = true;
        private int pending = -1;
        private int endIndex = -1;
        private int last = '\n';
        // read ahead in blocks: one virtual call per byte down a chain of streams cost more than the rest of RETR
        private final byte[] buf = new byte[8192];
        private int pos;
        private int lim;

        Stuffer(InputStream in) {
            this.in = in;
        }

        private int next() throws IOException {
            if (pos == lim) {
                int n = in.read(buf, 0, buf.length);
                if (n <= 0) {
                    return -1;
                }
                pos = 0;
                lim = n;
            }
            return buf[pos++] & 0xff;
        }

        @Override
        public int read() throws IOException {
            if (pending >= 0) {
                int c = pending;
                pending = -1;
                return c;
            }
            if (endIndex >= 0) {
                return endIndex < END.length ? END[endIndex++] : -1;
            }
            int c = next();
            if (c < 0) {
                if (last != '\n') {
                    // not wire form; end the last line so the terminator stands on its own
                    last = '\n';
                    pending = '\n';
                    endIndex = 0;
                    return '\r';
                }
                endIndex = 0;
                return END[endIndex++];
            }
            last = c;
            if (atLineStart && c == '.') {
                atLineStart = false;
                pending = '.';
                return '.';
            }
            atLineStart = c == '\n';
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = 0;
            while (n < len) {
                if (pending < 0 && endIndex < 0 && pos < lim) {
                    n = copyRun(b, off, n, len);
                    continue;
                }
                // an owed byte, the end, or a refill: one byte the careful way
                int c = read();
                if (c < 0) {
                    break;
                }
                b[off + n++] = (byte) c;
            }
            return n == 0 ? -1 : n;
        }

        /** Copies buffered octets while nothing is owed, stuffing dots at line starts; returns the new count. */
        private int copyRun(byte[] b, int off, int n, int len) {
            int p = pos;
            boolean lineStart = atLineStart;
            while (n < len && p < lim) {
                byte c = buf[p];
                if (lineStart && c == '.') {
                    if (n + 2 > len) {
                        break;
                    }
                    b[off + n++] = '.';
                }
                b[off + n++] = c;
                p++;
                lineStart = c == '\n';
            }
            if (p > pos) {
                last = buf[p - 1] & 0xff;
                atLineStart = lineStart;
                pos = p;
            } else if (n < len) {
                // a dot at a line start with room for one octet only: the careful path owes the second
                b[off + n++] = (byte) readBuffered();
            }
            return n;
        }

        /** read() for a byte known to be buffered. */
        private int readBuffered() {
            int c = buf[pos++] & 0xff;
            last = c;
            if (atLineStart && c == '.') {
                atLineStart = false;
                pending = '.';
                return '.';
            }
            atLineStart = c == '\n';
            return c;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
