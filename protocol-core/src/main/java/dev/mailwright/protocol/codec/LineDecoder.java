package dev.mailwright.protocol.codec;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Splits input into command lines, one at a time, for a protocol that reads its own input from
 * the transport: {@link #next(ByteBuffer)} consumes octets up to and including the next LF and
 * returns the line, or consumes everything and keeps the partial line for the next call.
 *
 * <p>Memory is bounded by one line of the maximum length: a line past the limit is not kept
 * but skipped up to its LF and reported as {@link Line.Kind#TOO_LONG}, after which decoding
 * resumes with the next line.
 *
 * <p>With a line deadline, a line must end within that long of the moment its first octet was
 * decoded: a client sending one octet now and then resets the idle timeout with each, but not
 * this (ADR 0028). The clock is read only while a line spans several inputs, and a late line is
 * reported as {@link Line.Kind#TIMEOUT} when its next octets arrive; a client that falls silent
 * in mid-line is left to the idle timeout. Not thread-safe.
 */
public final class LineDecoder {

    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final int maxLineLength;
    private final boolean bareLfEndsLine;
    private final byte[] line;
    /** Nanoseconds a line may take from its first octet to its LF; 0 for no limit. */
    private final long lineDeadline;
    private final LongSupplier nanoTime;
    private int lineLength;
    private boolean discarding;
    /** When the partial line kept began ({@link #nanoTime}). */
    private long lineStarted;

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
        this(maxLineLength, bareLfEndsLine, Duration.ZERO);
    }

    /**
     * @param lineDeadline how long a line may take from its first octet to its end; zero for no limit
     */
    public LineDecoder(int maxLineLength, boolean bareLfEndsLine, Duration lineDeadline) {
        this(maxLineLength, bareLfEndsLine, lineDeadline, System::nanoTime);
    }

    /** With the clock the line deadline is measured by ({@link System#nanoTime()} in production). */
    public LineDecoder(int maxLineLength, boolean bareLfEndsLine, Duration lineDeadline, LongSupplier nanoTime) {
        if (maxLineLength < 3) {
            throw new IllegalArgumentException("line length too small");
        }
        if (lineDeadline.isNegative()) {
            throw new IllegalArgumentException("negative line deadline");
        }
        this.maxLineLength = maxLineLength;
        this.bareLfEndsLine = bareLfEndsLine;
        this.line = new byte[maxLineLength - 1];
        this.lineDeadline = lineDeadline.toNanos();
        this.nanoTime = nanoTime;
    }

    /**
     * The next complete line from what was kept and {@code input}, consuming {@code input} up to
     * and including its LF; or null when {@code input} holds no LF (all of it was consumed and
     * kept, or skipped when over the limit). A line past its deadline is
     * {@link Line.Kind#TIMEOUT}, and all of {@code input} is consumed with it.
     */
    public Line next(ByteBuffer input) {
        int from = input.position();
        int end = input.limit();
        boolean partial = hasPartialLine();
        if (partial && lineDeadline > 0 && from < end && nanoTime.getAsLong() - lineStarted > lineDeadline) {
            clear();
            input.position(end);
            return Line.error(Line.Kind.TIMEOUT);
        }
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
            if (!partial && lineDeadline > 0 && from < end) {
                lineStarted = nanoTime.getAsLong();
            }
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
