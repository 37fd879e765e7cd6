package dev.mailwright.admin.mail;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

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
import java.util.function.Consumer;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mbox format: each message starts with a {@code From sender date} line (at the start
 * of the file or after a blank line) and ends with a blank line that is not part of it.
 * Lines of the message that look like a From_ line are quoted with {@code >}: in mboxrd
 * any {@code >*From } gains one {@code >} (reversible), in mboxo only {@code From } does
 * (so {@code >From } in a message cannot be told from a quoted one). The reader undoes
 * the quoting of the chosen variant; the writer writes mboxrd.
 *
 * <p>A Dovecot-managed mbox ({@link Format#DOVECOT}, found by the {@code X-IMAPbase} header of
 * its first message) is read as Dovecot serves it: no quoting undone, a message Dovecot saved
 * ending where its {@code Content-Length} says (Dovecot does not quote {@code From } lines in it),
 * and the UIDL Dovecot's POP3 server gave: {@code pop3_uidl_format} over the message's
 * {@code X-UID} and the {@code X-IMAPbase} UIDVALIDITY. In every format the mailbox's bookkeeping
 * fields ({@link #HIDDEN}) are left out of the messages, as Dovecot leaves them out of what it
 * serves.
 *
 * <p>Outside Dovecot's format, an {@code X-UIDL} field that is the first line of a message's
 * header is its UIDL and is left out of it: that is how {@link #write} (and {@code export mbox})
 * carries a UIDL, so an export and import round trip keeps UIDLs and content. Anywhere else in
 * the header an {@code X-UIDL} stays part of the message, as Dovecot serves it.
 */
public final class Mbox {

    /** How From_ lines inside messages were quoted. */
    public enum Format {
        MBOXRD, MBOXO,
        /** As Dovecot reads its mboxes: nothing unquoted, a valid Content-Length ends a message. */
        DOVECOT
    }

    /** Header fields that belong to the mbox, not to the message: Dovecot never serves them. */
    public static final Set<String> HIDDEN = Set.of("x-imapbase", "x-imap", "x-uid", "status", "x-status",
            "x-keywords", "content-length");

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

    /** {@link Format#DOVECOT} when the first message has Dovecot's {@code X-IMAPbase} header, else {@link Format#MBOXRD}. */
    public static Format detect(Path file) throws IOException {
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            Lines lines = new Lines(in);
            byte[] l;
            boolean inHeader = false;
            while ((l = lines.next()) != null) {
                if (!inHeader) {
                    if (Lines.startsWith(l, 0, "From ")) {
                        inHeader = true;
                    } else if (!Lines.isBlank(l)) {
                        break;
                    }
                } else if (Lines.isBlank(l)) {
                    break;
                } else if (fieldName(l).equals("x-imapbase")) {
                    return Format.DOVECOT;
                }
            }
        }
        return Format.MBOXRD;
    }

    /**
     * Reads every message of an mbox file, checking it on the way, without keeping the
     * content in memory: each message's {@link SourceMessage#content()} reads its range of
     * the file again.
     */
    public static List<SourceMessage> scan(Path file, Format format, ScanOptions options)
            throws IOException, ImportFormatException {
        List<SourceMessage> out = new ArrayList<>();
        scan(file, format, options, out::add);
        return out;
    }

    /** Reads the mbox's messages in order, handing each to {@code each} as soon as it is read and checked. */
    public static void scan(Path file, Format format, ScanOptions options, Consumer<SourceMessage> each)
            throws IOException, ImportFormatException {
        int[] accepted = {0};
        Consumer<SourceMessage> out = m -> {
            accepted[0]++;
            each.accept(m);
        };
        Map<String, String> uidlSeen = new HashMap<>();
        long fileSize = java.nio.file.Files.size(file);
        try (InputStream raw = java.nio.file.Files.newInputStream(file);
             FileChannel peek = FileChannel.open(file, StandardOpenOption.READ)) {
            Lines lines = new Lines(raw);
            long offset = 0;
            long lineNo = 0;
            Scan current = null;
            Mailbox mailbox = new Mailbox(file, format, options, uidlSeen);
            byte[] pendingBlank = null; // a blank line that may be the separator before the next From_ line
            long pendingBlankOffset = 0;
            byte[] l;
            byte[] last = null;
            while ((l = lines.next()) != null) {
                last = l;
                if (lines.continued()) {
                    // the rest of a long line: it belongs where its start went (never a From_ or blank line)
                    if (current != null) {
                        current.piece(l, true);
                    }
                    offset += l.length;
                    continue;
                }
                lineNo++;
                boolean inBody = current != null && offset < current.contentEnd;
                boolean afterBlank = current == null || pendingBlank != null;
                boolean fromLike = !inBody && afterBlank && Lines.startsWith(l, 0, "From ");
                Matcher from = fromLike ? FROM_LINE.matcher(new String(l, ISO_8859_1)) : null;
                if (from != null && from.matches()) {
                    if (current != null) {
                        current.finish(mailbox, pendingBlankOffset, false).ifPresent(out);
                    }
                    current = new Scan(accepted[0] + mailbox.options.bad().skipped() + 1, lineNo, offset + l.length,
                            from.group(1), from.group(2), format);
                    pendingBlank = null;
                } else if (fromLike) {
                    throw new ImportFormatException(file + ": line " + lineNo + ": \"" + printable(l) + "\" would"
                            + " start a message but has no date: fix it, or quote it as \">From\" if it is text");
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
                    if (Lines.isBlank(l) && !inBody) {
                        pendingBlank = l;
                        pendingBlankOffset = offset;
                        if (current.bodyStart < 0) {
                            // the end of the header: where the body starts, and (Dovecot) where it ends
                            current.bodyStart = offset + l.length;
                            current.contentLength = parseContentLength(current.header.toByteArray());
                            if (format == Format.DOVECOT) {
                                current.contentEnd = contentEnd(current, peek, fileSize);
                            }
                        }
                    } else {
                        current.line(l, format);
                    }
                }
                offset += l.length;
            }
            if (current != null) {
                boolean truncated = last[last.length - 1] != '\n'
                        || (current.contentLength >= 0 && current.bodyStart + current.contentLength > fileSize);
                current.finish(mailbox, pendingBlank != null ? pendingBlankOffset : offset, truncated).ifPresent(out);
            }
        }
    }

    /**
     * Where the content of a message Dovecot saved ends: at its Content-Length, if exactly there
     * the file ends or a blank line and a From_ line follow (as Dovecot checks it); else never
     * before the next From_ line.
     */
    private static long contentEnd(Scan current, FileChannel file, long fileSize) throws IOException {
        if (current.contentLength < 0) {
            return -1;
        }
        long end = current.bodyStart + current.contentLength;
        if (end == fileSize) {
            return end;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(6);
        file.read(b, end);
        String next = new String(b.array(), 0, b.position(), ISO_8859_1);
        return next.equals("\n") || next.equals("\nFrom ") ? end : -1;
    }

    private static String printable(byte[] l) {
        String s = new String(l, ISO_8859_1).strip();
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    /** The field name of a header line, lower case; empty for a line that is not a field. */
    static String fieldName(byte[] l) {
        int colon = -1;
        for (int i = 0; i < l.length && i < 80; i++) {
            if (l[i] == ':') {
                colon = i;
                break;
            }
            if (l[i] <= ' ') {
                return "";
            }
        }
        return colon <= 0 ? "" : new String(l, 0, colon, ISO_8859_1).toLowerCase(Locale.ROOT);
    }

    /** What the scan of one file knows beyond the message at hand. */
    private static final class Mailbox {
        final Path file;
        final Format format;
        final ScanOptions options;
        final Map<String, String> uidlSeen;
        /** Dovecot's UIDVALIDITY, from the first message's X-IMAPbase. */
        Optional<Long> validity;

        Mailbox(Path file, Format format, ScanOptions options, Map<String, String> uidlSeen) {
            this.file = file;
            this.format = format;
            this.options = options;
            this.uidlSeen = uidlSeen;
        }
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
        final Hidden hidden;
        boolean inHeader = true;
        long bodyStart = -1;
        long contentLength = -1;
        long contentEnd = -1;

        Scan(int number, long line, long start, String sender, String dateText, Format format) {
            this.hidden = new Hidden(format);
            this.number = number;
            this.line = line;
            this.start = start;
            this.sender = sender;
            this.dateText = dateText;
        }

        void line(byte[] l, Format format) {
            piece(unescape(l, format), false);
        }

        /** Content as stored: a line with its quoting undone, or a later piece of a long line. */
        void piece(byte[] u, boolean continued) {
            if (hidden.keep(u, continued)) {
                digest.update(u);
            }
            if (inHeader) {
                if (!continued && Lines.isBlank(u)) {
                    inHeader = false;
                } else if (header.size() < Headers.MAX_HEADER_BYTES) {
                    header.write(u, 0, u.length);
                }
            }
        }

        Optional<SourceMessage> finish(Mailbox box, long end, boolean truncated) throws ImportFormatException {
            box.options.scanned().run();
            String where = box.file + ": message " + number + " (line " + line + ")";
            header.write('\n');
            Headers h = Headers.of(header.toByteArray());
            if (box.validity == null) {
                box.validity = h.first("X-IMAPbase").flatMap(Mbox::imapBaseValidity);
            }
            if (truncated) {
                box.options.bad().bad(where, "the file ends inside this message (truncated?)");
                return Optional.empty();
            }
            Optional<String> uidl;
            try {
                uidl = hidden.droppedLeadingXuidl ? h.first("X-UIDL") : uidl(h, box);
            } catch (ImportFormatException e) {
                box.options.bad().bad(where, e.getMessage());
                return Optional.empty();
            }
            if (uidl.isPresent()) {
                if (!SourceMessage.isValidUidl(uidl.get())) {
                    box.options.bad().bad(where, "UIDL \"" + uidl.get() + "\" is not valid (1 to 70 printable"
                            + " ASCII characters)");
                    return Optional.empty();
                }
                String earlier = box.uidlSeen.putIfAbsent(uidl.get(), "message " + number + " (line " + line + ")");
                if (earlier != null) {
                    box.options.bad().bad(where, "UIDL " + uidl.get() + " repeats that of " + earlier);
                    return Optional.empty();
                }
            }
            Optional<Instant> received = parseFromLineDate(dateText).or(h::date);
            if (received.isEmpty()) {
                box.options.bad().bad(where, "no date in the From_ line nor in a Date header");
                return Optional.empty();
            }
            Optional<String> envelopeSender = sender.isEmpty() || sender.equals("MAILER-DAEMON") ? Optional.empty()
                    : Optional.of(sender);
            long length = end - start;
            long from = start;
            Path file = box.file;
            Format format = box.format;
            return Optional.of(new SourceMessage("message " + number + " (line " + line + ")", uidl, envelopeSender,
                    received.get(), Lines.hex(digest.digest()), () -> open(file, from, length, format)));
        }

        /**
         * Dovecot's UIDL: {@code X-UIDL} first with {@code pop3_reuse_xuidl}; the {@code X-UID} in
         * {@code pop3_uidl_format} in a Dovecot-managed mbox; else an {@code X-UIDL} header.
         */
        private static Optional<String> uidl(Headers h, Mailbox box) throws ImportFormatException {
            Optional<String> xuidl = h.first("X-UIDL");
            if (box.options.reuseXuidl() && xuidl.isPresent()) {
                return xuidl;
            }
            Optional<String> xuid = h.first("X-UID");
            if (box.validity.isPresent() && xuid.isPresent()) {
                try {
                    return Optional.of(box.options.uidlFormat().format(Long.parseLong(xuid.get()), box.validity.get(), ""));
                } catch (NumberFormatException e) {
                    throw new ImportFormatException("X-UID \"" + xuid.get() + "\" is not a number");
                }
            }
            return xuidl;
        }
    }

    /** {@code X-IMAPbase: <uidvalidity> <next uid> [keywords]}: the UIDVALIDITY. */
    private static Optional<Long> imapBaseValidity(String value) {
        try {
            return Optional.of(Long.parseLong(value.strip().split("\\s+")[0]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The Content-Length field of a raw header section, or -1. */
    private static long parseContentLength(byte[] header) {
        for (String l : new String(header, ISO_8859_1).split("\n")) {
            if (l.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                try {
                    return Long.parseLong(l.substring(15).strip());
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /**
     * Leaves {@link #HIDDEN} fields (with their continuation lines) out of a message's header, line
     * by line; outside Dovecot's format also an {@code X-UIDL} field that is the first line of the
     * header, as {@code export mbox} writes it (the message's UIDL, not part of it).
     */
    private static final class Hidden {
        private final boolean leadingXuidl;
        private boolean inHeader = true;
        private boolean first = true;
        private boolean dropping;
        /** Whether the first header field was an X-UIDL that was left out. */
        boolean droppedLeadingXuidl;

        Hidden(Format format) {
            this.leadingXuidl = format != Format.DOVECOT;
        }

        boolean keep(byte[] piece, boolean continued) {
            if (!inHeader) {
                return true;
            }
            if (continued) {
                return !dropping;
            }
            if (Lines.isBlank(piece)) {
                inHeader = false;
                return true;
            }
            if (piece.length > 0 && (piece[0] == ' ' || piece[0] == '\t')) {
                return !dropping;
            }
            String name = fieldName(piece);
            dropping = HIDDEN.contains(name) || (first && leadingXuidl && name.equals("x-uidl"));
            droppedLeadingXuidl |= first && dropping && name.equals("x-uidl");
            first = false;
            return !dropping;
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
        Lines lines = new Lines(new Bounded(Channels.newInputStream(ch), length), (int) Math.min(length + 1, 1 << 16));
        Hidden hidden = new Hidden(format);
        return new InputStream() {
            private byte[] line = new byte[0];
            private int pos;

            private boolean fill() throws IOException {
                while (line != null && pos == line.length) {
                    byte[] l = lines.next();
                    line = l == null || lines.continued() ? l : unescape(l, format);
                    pos = 0;
                    if (line != null && !hidden.keep(line, lines.continued())) {
                        line = new byte[0];
                    }
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
        if (format == Format.DOVECOT || l.length == 0 || l[0] != '>') {
            return l;
        }
        int gt = 0;
        while (gt < l.length && l[gt] == '>') {
            gt++;
        }
        boolean quoted = Lines.startsWith(l, gt, "From ") && (format == Format.MBOXRD || gt == 1);
        return quoted ? java.util.Arrays.copyOfRange(l, 1, l.length) : l;
    }

    /**
     * Writes one message in mboxrd: From_ line, an {@code X-UIDL} field if given (ending its line
     * as the message's first line does), quoted content, a line end if it lacks one, the blank
     * separator.
     */
    public static void write(OutputStream out, String sender, Instant received, Optional<String> xuidl,
                             InputStream content) throws IOException {
        out.write(("From " + sender + " " + FROM_LINE_DATE.format(received.atOffset(ZoneOffset.UTC)) + "\n").getBytes(ISO_8859_1));
        Lines lines = new Lines(content);
        byte[] l = lines.next();
        if (xuidl.isPresent()) {
            boolean crlf = l != null && l.length >= 2 && l[l.length - 2] == '\r' && l[l.length - 1] == '\n';
            out.write(("X-UIDL: " + xuidl.get() + (crlf ? "\r\n" : "\n")).getBytes(ISO_8859_1));
        }
        byte[] last = null;
        for (; l != null; l = lines.next()) {
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
