package dev.mailwright.admin.mail;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Maildir ({@code cur/}, {@code new/}, {@code tmp/}), one message per file, as Dovecot
 * leaves it: the file's mtime is when the message was received, and {@code dovecot-uidlist}
 * gives each file its IMAP UID and, where set, the POP3 UIDL (the {@code P} extension).
 *
 * <p>The UIDL of an imported message is, in this order: the uidlist's {@code P} value; the
 * uidlist UID and UIDVALIDITY formatted with Dovecot's {@code pop3_uidl_format} (default
 * {@value #DEFAULT_UIDL_FORMAT}, what Dovecot served unless configured otherwise); an
 * {@code X-UIDL} header; none (the importer then names the message by its content).
 */
public final class Maildir {

    public static final String DEFAULT_UIDL_FORMAT = "%08Xu%08Xv";
    public static final String UIDLIST = "dovecot-uidlist";

    private Maildir() {
    }

    /** Whether {@code dir} looks like a Maildir. */
    public static boolean isMaildir(Path dir) {
        return Files.isDirectory(dir.resolve("cur")) || Files.isDirectory(dir.resolve("new"));
    }

    public static List<SourceMessage> scan(Path dir, String uidlFormat) throws IOException, ImportFormatException {
        if (!isMaildir(dir)) {
            throw new ImportFormatException(dir + ": not a Maildir (no cur/ or new/ directory)");
        }
        DovecotUidlist uidlist = Files.isRegularFile(dir.resolve(UIDLIST))
                ? DovecotUidlist.read(dir.resolve(UIDLIST)) : DovecotUidlist.EMPTY;
        List<Path> files = new ArrayList<>();
        for (String sub : new String[] {"cur", "new"}) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                    for (Path p : ds) {
                        if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith(".")) {
                            files.add(p);
                        }
                    }
                }
            }
        }
        Map<Path, Instant> mtimes = new HashMap<>();
        for (Path p : files) {
            mtimes.put(p, Files.getLastModifiedTime(p).toInstant());
        }
        files.sort(Comparator.comparingLong((Path p) -> uidlist.uid(baseName(p)).orElse(Long.MAX_VALUE))
                .thenComparing(mtimes::get).thenComparing(p -> p.getFileName().toString()));

        List<SourceMessage> out = new ArrayList<>();
        Map<String, String> uidlSeen = new HashMap<>();
        for (Path p : files) {
            String where = dir.relativize(p).toString();
            String base = baseName(p);
            MessageDigest digest = Lines.sha256();
            Headers h;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
                byte[] header = Headers.readHeaderBytes(in);
                digest.update(header);
                h = Headers.read(new ByteArrayInputStream(header));
                byte[] buf = new byte[1 << 16];
                int n;
                while ((n = in.read(buf)) > 0) {
                    digest.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new ImportFormatException(where + ": unreadable: " + e.getMessage());
            }
            Optional<String> uidl = uidlist.pop3Uidl(base);
            if (uidl.isEmpty() && uidlist.uid(base).isPresent()) {
                uidl = Optional.of(formatUidl(uidlFormat, uidlist.uid(base).get(), uidlist.validity(), base));
            }
            if (uidl.isEmpty()) {
                uidl = h.first("X-UIDL");
            }
            if (uidl.isPresent()) {
                if (!SourceMessage.isValidUidl(uidl.get())) {
                    throw new ImportFormatException(where + ": UIDL \"" + uidl.get() + "\" is not valid (1 to 70"
                            + " printable ASCII characters)");
                }
                String earlier = uidlSeen.putIfAbsent(uidl.get(), where);
                if (earlier != null) {
                    throw new ImportFormatException(where + ": UIDL " + uidl.get() + " repeats that of " + earlier);
                }
            }
            out.add(new SourceMessage(where, uidl, h.returnPath(), mtimes.get(p), Lines.hex(digest.digest()),
                    () -> Files.newInputStream(p)));
        }
        return out;
    }

    /** The part of a Maildir file name before the {@code :2,flags} info: what dovecot-uidlist records. */
    static String baseName(Path p) {
        String n = p.getFileName().toString();
        int colon = n.indexOf(':');
        return colon < 0 ? n : n.substring(0, colon);
    }

    /**
     * Dovecot's {@code pop3_uidl_format} for the variables a Maildir gives: {@code %u} (UID),
     * {@code %v} (UIDVALIDITY), {@code %f} (file name), with an optional zero flag, width and
     * {@code X}/{@code x} for hex: {@code %08Xu%08Xv}.
     */
    static String formatUidl(String format, long uid, long validity, String fileName) throws ImportFormatException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            int j = i + 1;
            boolean zero = j < format.length() && format.charAt(j) == '0';
            int width = 0;
            while (j < format.length() && Character.isDigit(format.charAt(j))) {
                width = width * 10 + (format.charAt(j++) - '0');
            }
            char radix = 'd';
            if (j < format.length() && (format.charAt(j) == 'X' || format.charAt(j) == 'x')) {
                radix = format.charAt(j++);
            }
            if (j >= format.length()) {
                throw new ImportFormatException("UIDL format ends in the middle of a variable: " + format);
            }
            char var = format.charAt(j);
            String value = switch (var) {
                case 'u' -> number(uid, radix);
                case 'v' -> number(validity, radix);
                case 'f' -> fileName;
                case '%' -> "%";
                default -> throw new ImportFormatException("UIDL format variable %" + var + " is not supported"
                        + " (only %u, %v, %f)");
            };
            if (value.length() < width) {
                value = (zero ? "0" : " ").repeat(width - value.length()) + value;
            }
            sb.append(value);
            i = j;
        }
        return sb.toString();
    }

    private static String number(long n, char radix) {
        return switch (radix) {
            case 'X' -> Long.toHexString(n).toUpperCase(java.util.Locale.ROOT);
            case 'x' -> Long.toHexString(n);
            default -> Long.toString(n);
        };
    }

    /**
     * Writes a Maildir: every message as a file in {@code cur/} whose mtime is its received
     * time, and a {@code dovecot-uidlist} giving each its UIDL ({@code P}), so that Dovecot,
     * or this importer, serves the same UIDLs.
     */
    public static final class Writer implements AutoCloseable {
        private final Path dir;
        private final String host;
        private final long validity;
        private final StringBuilder uidlist = new StringBuilder();
        private long uid;

        public Writer(Path dir, String host, Instant now) throws IOException {
            this.dir = dir;
            this.host = host.replace('/', '_').replace(':', '_');
            this.validity = now.getEpochSecond();
            for (String sub : new String[] {"cur", "new", "tmp"}) {
                Files.createDirectories(dir.resolve(sub));
            }
        }

        public void add(String uidl, Instant received, long size, SourceMessage.Content content) throws IOException {
            uid++;
            String base = received.getEpochSecond() + ".M" + uid + "P" + ProcessHandle.current().pid() + "." + host
                    + ",S=" + size;
            Path tmp = dir.resolve("tmp").resolve(base);
            try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 InputStream in = content.open()) {
                in.transferTo(o);
            }
            Files.setLastModifiedTime(tmp, FileTime.from(received));
            Files.move(tmp, dir.resolve("cur").resolve(base + ":2,"));
            uidlist.append(uid).append(" P").append(uidl).append(" :").append(base).append('\n');
        }

        @Override
        public void close() throws IOException {
            String header = "3 V" + validity + " N" + (uid + 1) + "\n";
            Files.write(dir.resolve(UIDLIST), (header + uidlist).getBytes(UTF_8));
        }
    }
}
