package dev.mailwright.protocol.codec;

import java.nio.ByteBuffer;

/**
 * Splits input into command lines, one at a time, for a protocol that reads its own input from
 * the transport: {@link #next(ByteBuffer)} consumes octets up to and including the next LF and
 * returns the line, or consumes everything and keeps the partial line for the next call.
 *
 * <p>Memory is bounded by one line of the maximum length: a line past the limit is not kept
 * but skipped up to its LF and reported as {@link Line.Kind#TOO_LONG}, after which decoding
 * resumes with the next line. Not thread-safe.
 */
public final class LineDecoder {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final int maxLineLength;
    private final boolean bareLfEndsLine;
    private final byte[] line;
    private int lineLength;
    private boolean discarding;

    /** @param maxLineLength the longest line in octets, CRLF included */
    public LineDecoder(int maxLineLength) {
        this(maxLineLength, false);
    }

    /**
     * @param maxLineLength  the longest line in octets, CRLF included
     * @param bareLfEndsLine whether a LF without CR ends a line like CRLF (Postfix's
     *                       {@code smtpd_forbid_bare_newline = normalize}); otherwise such a line
     *                       is {@link Line.Kind#BARE_LF}
     */
    public LineDecoder(int maxLineLength, boolean bareLfEndsLine) {
        if (maxLineLength < 3) {
            throw new IllegalArgumentException("line length too small");
        }
        this.maxLineLength = maxLineLength;
        this.bareLfEndsLine = bareLfEndsLine;
        this.line = new byte[maxLineLength - 1];
    }

    /**
     * The next complete line from what was kept and {@code input}, consuming {@code input} up to
     * and including its LF; or null when {@code input} holds no LF (all of it was consumed and
     * kept, or skipped when over the limit).
     */
    public Line next(ByteBuffer input) {
        int from = input.position();
        int end = input.limit();
        int lf = indexOfLf(input, from, end);
        int upTo = lf < 0 ? end : lf;
        int take = upTo - from;
        if (!discarding) {
            if (lineLength + take > line.length) {
                discarding = true;
                lineLength = 0;
            } else {
                input.get(line, lineLength, take);
                lineLength += take;
            }
        }
        if (lf < 0) {
            input.position(end);
            return null;
        }
        input.position(lf + 1);
        return endOfLine();
    }

    /**
     * The next complete line of {@code input} without consuming anything, when no partial line is
     * kept: for deciding whether to handle it here or leave it to someone else. Null when
     * {@code input} holds no LF, or when a partial line is kept.
     */
    public Line peek(ByteBuffer input) {
        if (hasPartialLine()) {
            return null;
        }
        int position = input.position();
        Line line = next(input);
        input.position(position);
        if (line == null) {
            clear();
        }
        return line;
    }

    /** Whether part of a line is kept, waiting for its end. */
    public boolean hasPartialLine() {
        return lineLength > 0 || discarding;
    }

    /** Forgets a partial line. */
    public void clear() {
        lineLength = 0;
        discarding = false;
    }

    public int maxLineLength() {
        return maxLineLength;
    }

    private static int indexOfLf(ByteBuffer b, int from, int end) {
        if (b.hasArray()) {
            byte[] a = b.array();
            int off = b.arrayOffset();
            for (int i = from; i < end; i++) {
                if (a[off + i] == LF) {
                    return i;
                }
            }
            return -1;
        }
        for (int i = from; i < end; i++) {
            if (b.get(i) == LF) {
                return i;
            }
        }
        return -1;
    }

    private Line endOfLine() {
        if (discarding) {
            discarding = false;
            lineLength = 0;
            return Line.error(Line.Kind.TOO_LONG);
        }
        int length = lineLength;
        lineLength = 0;
        if (length > 0 && line[length - 1] == CR) {
            length--;
        } else if (!bareLfEndsLine) {
            return Line.error(Line.Kind.BARE_LF);
        }
        for (int i = 0; i < length; i++) {
            if (line[i] == 0) {
                return Line.error(Line.Kind.NUL);
            }
        }
        byte[] bytes = new byte[length];
        System.arraycopy(line, 0, bytes, 0, length);
        return Line.of(bytes);
    }
}
