package dev.mailwright.store.content;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The form in which a stored message goes out over POP3 (before dot-stuffing): every line
 * ends in CRLF, a bare LF becomes CRLF, and a last line without a line end gets one. A bare
 * CR not followed by LF is content and stays. Stored sizes are counted in this form
 * ({@link Counter}) so that LIST and STAT give exactly the octets RETR sends.
 */
public final class WireFormat {

    private WireFormat() {
    }

    /** Wraps stored content so that it reads in wire form. */
    public static InputStream normalize(InputStream stored) {
        return new NormalizingStream(stored);
    }

    /** Counts the wire-form size of content written in pieces. */
    public static final class Counter {
        private long size;
        private int last = -1;

        public void update(byte[] b, int off, int len) {
            if (len <= 0) {
                return;
            }
            size += len;
            int end = off + len;
            for (int i = off; i < end; i++) {
                if (b[i] == '\n' && (i > off ? b[i - 1] : (byte) last) != '\r') {
                    size++; // the CR we add
                }
            }
            last = b[end - 1] & 0xff;
        }

        /** The wire size of everything so far, counting the CRLF a missing final line end gets. */
        public long size() {
            return last == -1 || last == '\n' ? size : size + 2;
        }
    }

    private static final class NormalizingStream extends FilterInputStream {
        private int last = -1;
        private int pending = -1; // a byte owed after an inserted CR, or -2 for "emit LF then EOF"
        private boolean eof;
        // read ahead in blocks: one virtual call per byte down a chain of streams cost more than the rest of RETR
        private final byte[] buf = new byte[8192];
        private int pos;
        private int lim;

        NormalizingStream(InputStream in) {
            super(in);
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
                last = c;
                return c;
            }
            if (pending == -2) {
                pending = -1;
                eof = true;
                last = '\n';
                return '\n';
            }
            if (eof) {
                return -1;
            }
            int c = next();
            if (c < 0) {
                if (last == -1 || last == '\n') {
                    eof = true;
                    return -1;
                }
                pending = -2;
                last = '\r';
                return '\r';
            }
            if (c == '\n' && last != '\r') {
                pending = '\n';
                last = '\r';
                return '\r';
            }
            last = c;
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n = 0;
            while (n < len) {
                int c;
                if (pending == -1 && !eof && pos < lim) {
                    int before = n;
                    n = copyRun(b, off, n, len);
                    if (n > before) {
                        continue;
                    }
                }
                if (n > 0 && pending == -1 && !eof && pos == lim && in.available() <= 0) {
                    break; // return what we have rather than block for more
                }
                c = read();
                if (c < 0) {
                    break;
                }
                b[off + n++] = (byte) c;
            }
            return n == 0 ? -1 : n;
        }

        /** Copies buffered octets, a bare LF becoming CRLF, while both fit; returns the new count. */
        private int copyRun(byte[] b, int off, int n, int len) {
            int p = pos;
            int prev = last;
            while (n < len && p < lim) {
                byte c = buf[p];
                if (c == '\n' && prev != '\r') {
                    if (n + 2 > len) {
                        break; // read() owes the LF
                    }
                    b[off + n++] = '\r';
                }
                b[off + n++] = c;
                prev = c & 0xff;
                p++;
            }
            pos = p;
            last = prev;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = 0;
            while (skipped < n && read() >= 0) {
                skipped++;
            }
            return skipped;
        }

        @Override
        public int available() {
            return (pending != -1 ? 1 : 0) + (lim - pos);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
