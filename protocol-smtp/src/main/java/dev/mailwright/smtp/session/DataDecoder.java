package dev.mailwright.smtp.session;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Decodes message content as it streams: for DATA, dot-unstuffing and the end of data; for
 * BDAT, the chunk bytes as they are. Both check line ends.
 *
 * <p>SMTP smuggling protection: only {@code CRLF . CRLF} ends DATA. A bare LF or a bare CR is
 * never a line end for the purpose of ending the data; in {@link Mode#REJECT} either is
 * recorded as a {@link #problem()} (the message is then refused), in {@link Mode#NORMALIZE} a
 * bare LF is stored as CRLF (like Postfix 3.9) while a bare CR is still a problem. A line that
 * starts after a bare LF ("soft" line start) never ends the data, so {@code \n.\n},
 * {@code \n.\r\n}, {@code \r\n.\n}, {@code \r.\r}, {@code \r.\n} and {@code \r\n.\r} are all
 * content. Not thread-safe.
 */
public final class DataDecoder {

    public enum Mode { REJECT, NORMALIZE }

    public enum Problem { NONE, BARE_LF, BARE_CR }

    private static final int HARD_START = 0;
    private static final int SOFT_START = 1;
    private static final int HARD_DOT = 2;
    private static final int SOFT_DOT = 3;
    private static final int MID = 4;
    private static final int CR = 5;
    private static final int HARD_DOT_CR = 6;
    private static final int SOFT_DOT_CR = 7;

    private final boolean dotStuffed;
    private final boolean normalize;
    private final OutputStream out;
    private final byte[] buffer = new byte[16 * 1024];
    private int buffered;
    private int state = HARD_START;
    private Problem problem = Problem.NONE;
    private boolean ended;

    private DataDecoder(boolean dotStuffed, Mode mode, OutputStream out) {
        this.dotStuffed = dotStuffed;
        this.normalize = mode == Mode.NORMALIZE;
        this.out = out;
    }

    /** For DATA: dot-stuffed, ended by CRLF.CRLF. */
    public static DataDecoder data(Mode mode, OutputStream out) {
        return new DataDecoder(true, mode, out);
    }

    /** For BDAT chunks: taken as they are, ended by the chunk sizes. */
    public static DataDecoder chunks(Mode mode, OutputStream out) {
        return new DataDecoder(false, mode, out);
    }

    /**
     * Decodes from {@code b[off..off+len)} and returns how many octets it consumed: all of
     * them, or fewer when the end of data came first ({@link #ended()}).
     */
    public int feed(byte[] b, int off, int len) throws IOException {
        int i = off;
        int end = off + len;
        while (i < end && !ended) {
            if (state == MID) {
                // inside a line: everything up to the next CR or LF is content as it is, copied in one go
                int run = i;
                while (run < end && b[run] != '\r' && b[run] != '\n') {
                    run++;
                }
                emit(b, i, run - i);
                i = run;
                if (i == end) {
                    break;
                }
            }
            int c = b[i++] & 0xff;
            switch (state) {
                case HARD_START, SOFT_START -> {
                    if (c == '.' && dotStuffed) {
                        state = state == HARD_START ? HARD_DOT : SOFT_DOT;
                    } else {
                        mid(c);
                    }
                }
                case MID -> mid(c);
                case CR -> {
                    if (c == '\n') {
                        emit('\r');
                        emit('\n');
                        state = HARD_START;
                    } else {
                        bareCr();
                        mid(c);
                    }
                }
                case HARD_DOT, SOFT_DOT -> {
                    if (c == '\r') {
                        state = state == HARD_DOT ? HARD_DOT_CR : SOFT_DOT_CR;
                    } else if (c == '\n') {
                        emit('.'); // a lone dot ended by a bare LF is content, never the end
                        lf();
                    } else {
                        mid(c); // the stuffed dot is dropped
                    }
                }
                case HARD_DOT_CR -> {
                    if (c == '\n') {
                        ended = true;
                    } else {
                        bareCr();
                        mid(c);
                    }
                }
                case SOFT_DOT_CR -> {
                    if (c == '\n') {
                        emit('.');
                        emit('\r');
                        emit('\n');
                        state = HARD_START;
                    } else {
                        bareCr();
                        mid(c);
                    }
                }
                default -> throw new IllegalStateException("decoder state " + state);
            }
        }
        flush();
        return i - off;
    }

    /** For BDAT: the last chunk is in; a CR left at its very end is a bare CR. */
    public void finish() throws IOException {
        if (state == CR) {
            bareCr();
        }
        flush();
    }

    /** Whether CRLF.CRLF was seen (DATA only). */
    public boolean ended() {
        return ended;
    }

    /** The first line-end problem seen, if any. */
    public Problem problem() {
        return problem;
    }

    private void mid(int c) throws IOException {
        if (c == '\r') {
            state = CR;
        } else if (c == '\n') {
            lf();
        } else {
            emit(c);
            state = MID;
        }
    }

    private void lf() throws IOException {
        if (normalize) {
            emit('\r');
            emit('\n');
        } else if (problem == Problem.NONE) {
            problem = Problem.BARE_LF;
        }
        state = SOFT_START;
    }

    private void bareCr() throws IOException {
        if (problem == Problem.NONE) {
            problem = Problem.BARE_CR;
        }
        emit('\r');
    }

    private void emit(int c) throws IOException {
        if (buffered == buffer.length) {
            flush();
        }
        buffer[buffered++] = (byte) c;
    }

    private void emit(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (buffered == buffer.length) {
                flush();
            }
            int n = Math.min(len, buffer.length - buffered);
            System.arraycopy(b, off, buffer, buffered, n);
            buffered += n;
            off += n;
            len -= n;
        }
    }

    private void flush() throws IOException {
        if (buffered > 0) {
            if (problem == Problem.NONE) {
                out.write(buffer, 0, buffered); // a refused message need not be stored
            }
            buffered = 0;
        }
    }
}
