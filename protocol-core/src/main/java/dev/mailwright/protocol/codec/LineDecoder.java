package dev.mailwright.protocol.codec;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * Splits received octets into command lines, or hands them out raw while a protocol reads
 * data that is not commands (SMTP DATA and BDAT).
 *
 * <p>Memory is bounded by what was received but not yet taken, plus at most one line of the
 * maximum length: the transport stops reading while {@link #buffered()} is high, and a line
 * past the limit is not kept but skipped up to its LF and reported as {@link Line.Kind#TOO_LONG},
 * after which decoding resumes with the next line. Not thread-safe.
 */
public final class LineDecoder {

    private static final int CR = '\r';
    private static final int LF = '\n';

    private final int maxLineLength;
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private final byte[] line;
    private int lineLength;
    private boolean discarding;
    private long buffered;

    /** @param maxLineLength the longest line in octets, CRLF included */
    public LineDecoder(int maxLineLength) {
        if (maxLineLength < 3) {
            throw new IllegalArgumentException("line length too small");
        }
        this.maxLineLength = maxLineLength;
        this.line = new byte[maxLineLength - 1];
    }

    /** Appends received octets; the array is copied. */
    public void feed(byte[] data, int offset, int length) {
        if (length > 0) {
            byte[] copy = new byte[length];
            System.arraycopy(data, offset, copy, 0, length);
            chunks.addLast(ByteBuffer.wrap(copy));
            buffered += length;
        }
    }

    public void feed(byte[] data) {
        feed(data, 0, data.length);
    }

    /** Octets received and not yet returned, including a partial line. */
    public long buffered() {
        return buffered + lineLength;
    }

    /** The next complete line, or null when no LF has been received yet. */
    public Line next() {
        while (!chunks.isEmpty()) {
            ByteBuffer chunk = chunks.peekFirst();
            while (chunk.hasRemaining()) {
                byte b = chunk.get();
                buffered--;
                if (b == LF) {
                    if (!chunk.hasRemaining()) {
                        chunks.pollFirst();
                    }
                    return endOfLine();
                }
                if (discarding) {
                    continue;
                }
                if (lineLength == line.length) {
                    discarding = true;
                    lineLength = 0;
                    continue;
                }
                line[lineLength++] = b;
            }
            chunks.pollFirst();
        }
        return null;
    }

    private Line endOfLine() {
        if (discarding) {
            discarding = false;
            lineLength = 0;
            return Line.error(Line.Kind.TOO_LONG);
        }
        int length = lineLength;
        lineLength = 0;
        if (length == 0 || line[length - 1] != CR) {
            return Line.error(Line.Kind.BARE_LF);
        }
        length--;
        for (int i = 0; i < length; i++) {
            if (line[i] == 0) {
                return Line.error(Line.Kind.NUL);
            }
        }
        byte[] bytes = new byte[length];
        System.arraycopy(line, 0, bytes, 0, length);
        return Line.of(bytes);
    }

    /**
     * Takes everything buffered for a raw reader, in one buffer: a partial line not yet ended,
     * then the received chunks in order. Null when nothing is buffered. Octets the reader does
     * not consume go back with {@link #unread(ByteBuffer)}.
     */
    public ByteBuffer takeRaw() {
        discarding = false;
        if (lineLength == 0 && chunks.size() == 1) {
            ByteBuffer only = chunks.pollFirst();
            buffered = 0;
            return only;
        }
        long total = buffered();
        if (total == 0) {
            chunks.clear();
            return null;
        }
        ByteBuffer all = ByteBuffer.allocate((int) total);
        all.put(line, 0, lineLength);
        lineLength = 0;
        for (ByteBuffer c : chunks) {
            all.put(c);
        }
        chunks.clear();
        buffered = 0;
        all.flip();
        return all;
    }

    /** Puts back octets a raw reader did not consume; they are read again first. */
    public void unread(ByteBuffer data) {
        if (data.hasRemaining()) {
            buffered += data.remaining();
            chunks.addFirst(data);
        }
    }

    /** Whether more than {@code octets} are buffered (a raw reader that wants more can be offered more). */
    public boolean hasMoreThan(long octets) {
        return buffered() > octets;
    }

    /** Forgets everything buffered (after STARTTLS/STLS: pipelined plaintext is never processed). */
    public void clear() {
        chunks.clear();
        buffered = 0;
        lineLength = 0;
        discarding = false;
    }

    public int maxLineLength() {
        return maxLineLength;
    }
}
