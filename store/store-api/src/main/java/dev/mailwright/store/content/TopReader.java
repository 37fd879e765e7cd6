package dev.mailwright.store.content;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Limits stored content to its header, the blank line after it, and the first N lines of
 * the body (POP3 TOP). Works on raw stored bytes, treating LF as the line end (a CR before
 * it belongs to the line), and reads no further than it returns.
 */
public final class TopReader extends FilterInputStream {

    private final int bodyLines;
    private boolean inBody;
    private boolean lineEmpty = true;
    private int bodyLinesSeen;
    private boolean done;

    public TopReader(InputStream in, int bodyLines) {
        super(in);
        if (bodyLines < 0) {
            throw new IllegalArgumentException("negative line count");
        }
        this.bodyLines = bodyLines;
    }

    @Override
    public int read() throws IOException {
        if (done) {
            return -1;
        }
        if (inBody && bodyLinesSeen >= bodyLines) {
            done = true;
            return -1;
        }
        int c = in.read();
        if (c < 0) {
            done = true;
            return -1;
        }
        if (c == '\n') {
            if (inBody) {
                bodyLinesSeen++;
            } else if (lineEmpty) {
                inBody = true;
            }
            lineEmpty = true;
        } else if (c != '\r') {
            lineEmpty = false;
        }
        return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        int n = 0;
        while (n < len) {
            int c = read();
            if (c < 0) {
                break;
            }
            b[off + n++] = (byte) c;
            if (n > 0 && in.available() <= 0) {
                break;
            }
        }
        return n == 0 ? -1 : n;
    }

    @Override
    public long skip(long n) throws IOException {
        long s = 0;
        while (s < n && read() >= 0) {
            s++;
        }
        return s;
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
