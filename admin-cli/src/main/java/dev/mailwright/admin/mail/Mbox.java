package dev.mailwright.admin.mail;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mbox format: each message starts with a {@code From sender date} line (at the start
 * of the file or after a blank line) and ends with a blank line that is not part of it.
 * Lines of the message that look like a From_ line are quoted with {@code >}: in mboxrd
 * any {@code >*From } gains one {@code >} (reversible), in mboxo only {@code From } does
 * (so {@code >From } in a message cannot be told from a quoted one). The reader undoes
 * the quoting of the chosen variant; the writer writes mboxrd.
 */
public final class Mbox {

    /** How From_ lines inside messages were quoted. */
    public enum Format { MBOXRD, MBOXO }

    /** asctime(3), as From_ lines carry it: {@code Mon Jan  5 10:11:12 2026}, in UTC. */
    public static final DateTimeFormatter FROM_LINE_DATE =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

    private static final Pattern FROM_LINE = Pattern.compile(
            "From (\\S*)\\s+((?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\\s+\\S+\\s+\\d{1,2}\\s+\\d{1,2}:\\d{2}(?::\\d{2})?\\s+.*)\\r?\\n?");
    private static final DateTimeFormatter LENIENT = new DateTimeFormatterBuilder().parseCaseInsensitive()
            .appendPattern("EEE MMM d HH:mm[:ss] yyyy").toFormatter(Locale.ROOT);
    private static final Pattern ZONE = Pattern.compile("(?:\\s+(?:[A-Z]{3,4}|[+-]\\d{4}))(?=\\s|$)");

    private Mbox() {
    }

    /**
     * Reads every message of an mbox file, checking it on the way, without keeping the
     * content in memory: each message's {@link SourceMessage#content()} reads its range of
     * the file again.
     */
    public static List<SourceMessage> scan(Path file, Format format) throws IOException, ImportFormatException {
        List<SourceMessage> out = new ArrayList<>();
        Map<String, String> uidlSeen = new HashMap<>();
        try (InputStream raw = new BufferedInputStream(java.nio.file.Files.newInputStream(file), 1 << 16)) {
            Lines lines = new Lines(raw);
            long offset = 0;
            long lineNo = 0;
            Scan current = null;
            byte[] pendingBlank = null; // a blank line that may be the separator before the next From_ line
            long pendingBlankOffset = 0;
            byte[] l;
            while ((l = lines.next()) != null) {
                if (lines.continued()) {
                    // the rest of a long line: it belongs where its start went (never a From_ or blank line)
                    if (current != null) {
                        current.piece(l);
                    }
                    offset += l.length;
                    continue;
                }
                lineNo++;
                boolean afterBlank = current == null || pendingBlank != null;
                Matcher from = Lines.startsWith(l, 0, "From ") ? FROM_LINE.matcher(new String(l, ISO_8859_1)) : null;
                if (from != null && afterBlank && from.matches()) {
                    if (current != null) {
                        out.add(current.finish(file, format, pendingBlankOffset, uidlSeen));
                    } else if (offset > 0) {
                        // only blank lines before the first From_ line: fine
                    }
                    current = new Scan(out.size() + 1, lineNo, offset + l.length, from.group(1), from.group(2));
                    pendingBlank = null;
                } else if (current == null) {
                    if (!Lines.isBlank(l)) {
                        throw new ImportFormatException(file + ": line " + lineNo
                                + ": not an mbox file (a message must start with a \"From sender date\" line)");
                    }
                } else {
                    if (pendingBlank != null) {
                        current.line(pendingBlank, format);
                        pendingBlank = null;
                    }
                    if (Lines.isBlank(l)) {
                        pendingBlank = l;
                        pendingBlankOffset = offset;
                    } else {
                        current.line(l, format);
                    }
                }
                offset += l.length;
            }
            if (current != null) {
                out.add(current.finish(file, format, pendingBlank != null ? pendingBlankOffset : offset, uidlSeen));
            }
        }
        return out;
    }

    /** State of the message being scanned. */
    private static final class Scan {
        final int number;
        final long line;
        final long start;
        final String sender;
        final String dateText;
        final MessageDigest digest = Lines.sha256();
        final ByteArrayOutputStream header = new ByteArrayOutputStream();
        boolean inHeader = true;

        Scan(int number, long line, long start, String sender, String dateText) {
            this.number = number;
            this.line = line;
            this.start = start;
            this.sender = sender;
            this.dateText = dateText;
        }

        void line(byte[] l, Format format) {
            piece(unescape(l, format));
        }

        /** Content as stored: a line with its quoting undone, or a later piece of a long line. */
        void piece(byte[] u) {
            digest.update(u);
            if (inHeader) {
                if (Lines.isBlank(u)) {
                    inHeader = false;
                } else if (header.size() < Headers.MAX_HEADER_BYTES) {
                    header.write(u, 0, u.length);
                }
            }
        }

        SourceMessage finish(Path file, Format format, long end, Map<String, String> uidlSeen) throws ImportFormatException {
            String where = "message " + number + " (line " + line + ")";
            Headers h;
            try {
                header.write('\n');
                h = Headers.read(new ByteArrayInputStream(header.toByteArray()));
            } catch (IOException e) {
                throw new ImportFormatException(file + ": " + where + ": " + e.getMessage());
            }
            Optional<String> uidl = h.first("X-UIDL");
            if (uidl.isPresent()) {
                if (!SourceMessage.isValidUidl(uidl.get())) {
                    throw new ImportFormatException(file + ": " + where + ": X-UIDL is not a valid UIDL (1 to 70 printable"
                            + " ASCII characters)");
                }
                String earlier = uidlSeen.putIfAbsent(uidl.get(), where);
                if (earlier != null) {
                    throw new ImportFormatException(file + ": " + where + ": X-UIDL " + uidl.get() + " repeats that of "
                            + earlier);
                }
            }
            Instant received = parseFromLineDate(dateText).or(h::date).orElseThrow(() -> new ImportFormatException(
                    file + ": " + where + ": no date in the From_ line nor in a Date header"));
            Optional<String> envelopeSender = sender.isEmpty() || sender.equals("MAILER-DAEMON") ? Optional.empty()
                    : Optional.of(sender);
            long length = end - start;
            long from = start;
            return new SourceMessage(where, uidl, envelopeSender, received, Lines.hex(digest.digest()),
                    () -> open(file, from, length, format));
        }
    }

    /** The date of a From_ line in UTC, ignoring a time zone name or offset; empty if it does not parse. */
    static Optional<Instant> parseFromLineDate(String text) {
        String t = ZONE.matcher(text.strip()).replaceAll("").replaceAll("\\s+", " ");
        try {
            return Optional.of(LocalDateTime.parse(t, LENIENT).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** The content of one message: its range of the file, line by line with the quoting undone. */
    private static InputStream open(Path file, long start, long length, Format format) throws IOException {
        FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
        try {
            ch.position(start);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        Lines lines = new Lines(new BufferedInputStream(new Bounded(Channels.newInputStream(ch), length), 1 << 16));
        return new InputStream() {
            private byte[] line = new byte[0];
            private int pos;

            private boolean fill() throws IOException {
                while (line != null && pos == line.length) {
                    byte[] l = lines.next();
                    line = l == null || lines.continued() ? l : unescape(l, format);
                    pos = 0;
                }
                return line != null;
            }

            @Override
            public int read() throws IOException {
                return fill() ? line[pos++] & 0xff : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(len, line.length - pos);
                System.arraycopy(line, pos, b, off, n);
                pos += n;
                return n;
            }

            @Override
            public void close() throws IOException {
                ch.close();
            }
        };
    }

    private static byte[] unescape(byte[] l, Format format) {
        if (l.length == 0 || l[0] != '>') {
            return l;
        }
        int gt = 0;
        while (gt < l.length && l[gt] == '>') {
            gt++;
        }
        boolean quoted = Lines.startsWith(l, gt, "From ") && (format == Format.MBOXRD || gt == 1);
        return quoted ? java.util.Arrays.copyOfRange(l, 1, l.length) : l;
    }

    /** Writes one message in mboxrd: From_ line, quoted content, a line end if it lacks one, the blank separator. */
    public static void write(OutputStream out, String sender, Instant received, InputStream content) throws IOException {
        out.write(("From " + sender + " " + FROM_LINE_DATE.format(received.atOffset(ZoneOffset.UTC)) + "\n").getBytes(ISO_8859_1));
        Lines lines = new Lines(content instanceof BufferedInputStream ? content : new BufferedInputStream(content, 1 << 16));
        byte[] l;
        byte[] last = null;
        while ((l = lines.next()) != null) {
            int gt = 0;
            while (gt < l.length && l[gt] == '>') {
                gt++;
            }
            if (!lines.continued() && Lines.startsWith(l, gt, "From ")) {
                out.write('>');
            }
            out.write(l);
            last = l;
        }
        if (last != null && last[last.length - 1] != '\n') {
            out.write('\n');
        }
        out.write('\n');
    }

    /** Reads at most {@code limit} bytes. */
    private static final class Bounded extends java.io.FilterInputStream {
        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int c = in.read();
            if (c >= 0) {
                left--;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }
}
