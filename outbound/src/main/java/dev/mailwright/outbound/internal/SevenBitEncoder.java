package dev.mailwright.outbound.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message with 8-bit content made 7-bit for a server without 8BITMIME (RFC 6152 3: such a
 * server must not be sent 8-bit data), the way Postfix does it: every MIME leaf part that is not
 * already base64 or quoted-printable is re-encoded as quoted-printable (which decodes to the same
 * octets, line breaks included), and multipart and message/rfc822 entities declared
 * {@code 8bit} or {@code binary} are declared {@code 7bit}. The MIME structure is followed line
 * by line (boundaries of all open multiparts, nested messages), so memory is one line and one
 * header section, each bounded: a longer line or header fails with {@link TooLongException}.
 * Header fields are left as they are (8-bit headers need SMTPUTF8, decided elsewhere); 8-bit
 * octets in a preamble or epilogue, which no reader shows, become {@code ?}.
 *
 * <p>Input: CRLF lines (the output of {@code WireEncoder} without stuffing). Output: CRLF lines,
 * not dot-stuffed.
 */
public final class SevenBitEncoder extends InputStream {

    /** The longest input line or header section converted. */
    static final int MAX_LINE = 1024 * 1024;

    private static final Pattern BOUNDARY = Pattern.compile(
            "(?i)[;\\s]boundary\\s*=\\s*(?:\"([^\"]{1,200})\"|([^\\s;\"]{1,200}))");
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    /** A line or header section past {@link #MAX_LINE}: the message cannot be converted. */
    public static final class TooLongException extends IOException {
        TooLongException(String what) {
            super(what + " longer than " + MAX_LINE + " octets");
        }
    }

    private enum Mode {
        /** Reading an entity's header section. */
        HEADER,
        /** A leaf body copied as it is (base64, quoted-printable). */
        COPY,
        /** A leaf body re-encoded as quoted-printable. */
        ENCODE,
        /** Text no reader shows (preamble, epilogue): 8-bit octets replaced. */
        FILLER
    }

    private final InputStream in;
    private final Deque<String> boundaries = new ArrayDeque<>();
    private final List<byte[]> header = new ArrayList<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private byte[] pending = new byte[0];
    private int pos;
    private Mode mode = Mode.HEADER;
    private boolean topLevel = true;
    private int headerOctets;
    private boolean droppingContinuation;
    private boolean eof;

    public SevenBitEncoder(InputStream crlfLines) {
        this.in = crlfLines;
    }

    @Override
    public int read() throws IOException {
        while (pos >= pending.length) {
            if (!fill()) {
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
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, pending.length - pos);
        System.arraycopy(pending, pos, b, off, n);
        pos += n;
        return n;
    }

    /** Converts input lines until there is output, or the end. */
    private boolean fill() throws IOException {
        out.reset();
        while (out.size() == 0) {
            if (eof) {
                return false;
            }
            byte[] l = readLine();
            if (l == null) {
                eof = true;
                if (mode == Mode.HEADER && !header.isEmpty()) {
                    for (byte[] h : header) { // a header without a body
                        out.write(h);
                        out.write('\r');
                        out.write('\n');
                    }
                    header.clear();
                }
                break;
            }
            line(l);
        }
        pending = out.toByteArray();
        pos = 0;
        return pending.length > 0;
    }

    /** The next line without its CRLF, or null at the end. */
    private byte[] readLine() throws IOException {
        line.reset();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                byte[] b = line.toByteArray();
                int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                return n == b.length ? b : java.util.Arrays.copyOf(b, n);
            }
            if (line.size() >= MAX_LINE) {
                throw new TooLongException("a line");
            }
            line.write(c);
        }
        return line.size() > 0 ? line.toByteArray() : null;
    }

    private void line(byte[] l) throws IOException {
        if (mode != Mode.HEADER && !boundaries.isEmpty() && l.length >= 3 && l[0] == '-' && l[1] == '-'
                && delimiter(l)) {
            return;
        }
        switch (mode) {
            case HEADER -> headerLine(l);
            case COPY -> writeLine(l);
            case ENCODE -> encodeLine(l);
            case FILLER -> {
                for (int i = 0; i < l.length; i++) {
                    if (l[i] < 0) {
                        l[i] = '?';
                    }
                }
                writeLine(l);
            }
        }
    }

    /** Whether the line delimits a part of an open multipart (the innermost that matches); if so handles it. */
    private boolean delimiter(byte[] l) {
        String s = new String(l, StandardCharsets.ISO_8859_1);
        int depth = 0;
        for (var it = boundaries.descendingIterator(); it.hasNext(); depth++) {
            String b = it.next();
            if (!s.startsWith("--" + b)) {
                continue;
            }
            String rest = s.substring(2 + b.length());
            boolean close = rest.startsWith("--");
            if (!(close ? rest.substring(2) : rest).isBlank()) {
                continue;
            }
            for (int i = 0; i < depth; i++) {
                boundaries.removeLast(); // inner multiparts that were never closed
            }
            writeLine(l);
            if (close) {
                boundaries.removeLast();
                mode = Mode.FILLER; // the epilogue
            } else {
                mode = Mode.HEADER;
                header.clear();
                headerOctets = 0;
            }
            return true;
        }
        return false;
    }

    private void headerLine(byte[] l) throws IOException {
        if (l.length > 0) {
            headerOctets += l.length + 2;
            if (headerOctets > MAX_LINE) {
                throw new TooLongException("a header section");
            }
            header.add(l);
            return;
        }
        // the end of the header: decide what the body needs
        List<String> fields = unfold(header);
        String type = field(fields, "content-type").orElse("text/plain");
        String mime = type.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        String cte = field(fields, "content-transfer-encoding").map(v -> v.trim().toLowerCase(Locale.ROOT))
                .orElse("7bit");
        boolean identity = cte.equals("7bit") || cte.equals("8bit") || cte.equals("binary");
        Optional<String> boundary = mime.startsWith("multipart/") ? boundary(type) : Optional.empty();
        String newCte = null;
        Mode next;
        if (boundary.isPresent()) {
            next = Mode.FILLER; // the preamble
            newCte = identity && !cte.equals("7bit") ? "7bit" : null;
        } else if (mime.equals("message/rfc822") || mime.equals("message/global")) {
            next = Mode.HEADER; // the enclosed message's header follows
            newCte = identity && !cte.equals("7bit") ? "7bit" : null;
        } else if (identity) {
            next = Mode.ENCODE;
            newCte = "quoted-printable";
        } else {
            next = Mode.COPY;
        }
        boolean mimeVersion = field(fields, "mime-version").isPresent();
        for (byte[] h : header) {
            // drop the old Content-Transfer-Encoding field and its continuation lines
            if (newCte != null && (startsWithIgnoreCase(h, "content-transfer-encoding:")
                    || (h.length > 0 && (h[0] == ' ' || h[0] == '\t') && droppingContinuation))) {
                droppingContinuation = true;
                continue;
            }
            droppingContinuation = false;
            writeLine(h);
        }
        droppingContinuation = false;
        if (newCte != null) {
            if (topLevel && !mimeVersion) {
                writeLine("MIME-Version: 1.0".getBytes(StandardCharsets.US_ASCII));
            }
            writeLine(("Content-Transfer-Encoding: " + newCte).getBytes(StandardCharsets.US_ASCII));
        }
        writeLine(new byte[0]);
        header.clear();
        headerOctets = 0;
        topLevel = false;
        boundary.ifPresent(boundaries::addLast);
        mode = next;
    }

    private static boolean startsWithIgnoreCase(byte[] h, String prefix) {
        if (h.length < prefix.length()) {
            return false;
        }
        return new String(h, 0, prefix.length(), StandardCharsets.ISO_8859_1).equalsIgnoreCase(prefix);
    }

    private static List<String> unfold(List<byte[]> lines) {
        List<String> fields = new ArrayList<>();
        for (byte[] l : lines) {
            String s = new String(l, StandardCharsets.ISO_8859_1);
            if (!fields.isEmpty() && !s.isEmpty() && (s.charAt(0) == ' ' || s.charAt(0) == '\t')) {
                fields.set(fields.size() - 1, fields.get(fields.size() - 1) + s);
            } else {
                fields.add(s);
            }
        }
        return fields;
    }

    /** The value of the first field of that name. */
    private static Optional<String> field(List<String> fields, String name) {
        for (String f : fields) {
            int colon = f.indexOf(':');
            if (colon > 0 && f.substring(0, colon).trim().equalsIgnoreCase(name)) {
                return Optional.of(f.substring(colon + 1));
            }
        }
        return Optional.empty();
    }

    static Optional<String> boundary(String contentType) {
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(m.group(1) != null ? m.group(1) : m.group(2));
    }

    private void writeLine(byte[] l) {
        out.write(l, 0, l.length);
        out.write('\r');
        out.write('\n');
    }

    /** One line as quoted-printable (RFC 2045 6.7): soft breaks keep encoded lines at most 76 octets. */
    private void encodeLine(byte[] l) {
        int col = 0;
        for (int i = 0; i < l.length; i++) {
            int c = l[i] & 0xff;
            boolean last = i == l.length - 1;
            boolean literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last);
            int width = literal ? 1 : 3;
            // room for the soft break's '=' unless this is the line's last character
            if (col + width > (last ? 76 : 75)) {
                out.write('=');
                out.write('\r');
                out.write('\n');
                col = 0;
            }
            if (literal) {
                out.write(c);
            } else {
                writeHex(c);
            }
            col += width;
        }
        out.write('\r');
        out.write('\n');
    }

    private void writeHex(int c) {
        out.write('=');
        out.write(HEX[c >> 4]);
        out.write(HEX[c & 0xf]);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
