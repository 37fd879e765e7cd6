package dev.mailwright.admin.mail;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A Maildir ({@code cur/}, {@code new/}, {@code tmp/}), one message per file, as Dovecot
 * leaves it: the file's mtime is when the message was received, and {@code dovecot-uidlist}
 * gives each file its IMAP UID and, where set, the POP3 UIDL (the {@code P} extension).
 *
 * <p>The UIDL of an imported message is, in this order: the uidlist's {@code P} value; the
 * uidlist UID and UIDVALIDITY formatted with Dovecot's {@code pop3_uidl_format} (default
 * {@value UidlFormat#DEFAULT}, what Dovecot served unless configured otherwise); an
 * {@code X-UIDL} header; none (the importer then names the message by its content). With
 * {@link ScanOptions#reuseXuidl()} an {@code X-UIDL} header comes before the format, as with
 * Dovecot's {@code pop3_reuse_xuidl}. This is what {@code DovecotFixtureTest} holds against a
 * real Dovecot's answers.
 */
public final class Maildir {

    public static final String UIDLIST = "dovecot-uidlist";

    private Maildir() {
    }

    /** Whether {@code dir} looks like a Maildir. */
    public static boolean isMaildir(Path dir) {
        return Files.isDirectory(dir.resolve("cur")) || Files.isDirectory(dir.resolve("new"));
    }

    public static List<SourceMessage> scan(Path dir, ScanOptions options) throws IOException, ImportFormatException {
        List<SourceMessage> out = new ArrayList<>();
        scan(dir, options, out::add);
        return out;
    }

    /**
     * Reads the Maildir's messages in order, handing each to {@code each} as soon as it is read and
     * checked. While {@code each} runs, the content of a message that fit the scan's buffer opens
     * from what the scan read; afterwards, and for larger ones, from its file again.
     */
    public static void scan(Path dir, ScanOptions options, Consumer<SourceMessage> each)
            throws IOException, ImportFormatException {
        if (!isMaildir(dir)) {
            throw new ImportFormatException(dir + ": not a Maildir (no cur/ or new/ directory)");
        }
        DovecotUidlist uidlist = Files.isRegularFile(dir.resolve(UIDLIST))
                ? DovecotUidlist.read(dir.resolve(UIDLIST)) : DovecotUidlist.EMPTY;
        // in the order Dovecot numbered them: uidlist UID, else mtime, else name
        record File(Path path, String name, String base, long uid, Instant mtime) {
        }
        List<File> files = new ArrayList<>();
        for (String sub : new String[] {"cur", "new"}) {
            Path d = dir.resolve(sub);
            if (Files.isDirectory(d)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(d)) {
                    for (Path p : ds) {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                        String name = p.getFileName().toString();
                        if (a.isRegularFile() && !name.startsWith(".")) {
                            String base = DovecotUidlist.baseName(name);
                            files.add(new File(p, name, base, uidlist.uid(base).orElse(Long.MAX_VALUE),
                                    a.lastModifiedTime().toInstant()));
                        }
                    }
                }
            }
        }
        files.sort(Comparator.comparingLong(File::uid).thenComparing(File::mtime).thenComparing(File::name));

        Map<String, String> uidlSeen = new HashMap<>();
        // one buffer and one digest for every file: most messages fit the buffer, header and all
        byte[] block = new byte[1 << 16];
        MessageDigest digest = Lines.sha256();
        for (File f : files) {
            options.scanned().run();
            Path p = f.path();
            String where = p.getParent().getFileName() + "/" + f.name();
            String base = f.base();
            Headers h;
            int whole = -1; // the file's size when all of it is in the buffer
            try (InputStream file = Files.newInputStream(p)) {
                int n = file.readNBytes(block, 0, block.length);
                if (n < block.length) {
                    whole = n;
                }
                int end = headerEnd(block, n);
                InputStream in = file;
                byte[] header;
                if (end >= 0 || n < block.length) {
                    header = java.util.Arrays.copyOf(block, end >= 0 ? end : n);
                    digest.update(block, 0, n);
                } else {
                    // a header longer than the buffer: read on as a stream
                    in = new java.io.SequenceInputStream(new ByteArrayInputStream(block.clone(), 0, n), file);
                    header = Headers.readHeaderBytes(in);
                    digest.update(header);
                }
                h = Headers.of(header);
                while ((n = in.read(block)) > 0) {
                    digest.update(block, 0, n);
                }
            } catch (IOException e) {
                digest.reset();
                options.bad().bad(where, "unreadable: " + e.getMessage());
                continue;
            }
            Optional<String> uidl = uidl(uidlist, base, h, options);
            if (uidl.isPresent()) {
                if (!SourceMessage.isValidUidl(uidl.get())) {
                    options.bad().bad(where, "UIDL \"" + uidl.get() + "\" is not valid (1 to 70 printable ASCII characters)");
                    continue;
                }
                String earlier = uidlSeen.putIfAbsent(uidl.get(), where);
                if (earlier != null) {
                    options.bad().bad(where, "UIDL " + uidl.get() + " repeats that of " + earlier);
                    continue;
                }
            }
            // while the consumer has it, a message that fit the buffer is read from there, not from the file again
            boolean[] inHand = {whole >= 0};
            int size = whole;
            each.accept(new SourceMessage(where, uidl, h.returnPath(), f.mtime(), Lines.hex(digest.digest()),
                    () -> inHand[0] ? new ByteArrayInputStream(block, 0, size) : Files.newInputStream(p)));
            inHand[0] = false;
        }
    }

    /**
     * Where the header section of {@code n} octets of {@code b} ends, after its blank line, as
     * {@link Headers#readHeaderBytes} reads it; -1 when the blank line is not among them.
     */
    private static int headerEnd(byte[] b, int n) {
        boolean lineEmpty = true;
        for (int i = 0; i < n; i++) {
            if (b[i] == '\n') {
                if (lineEmpty) {
                    return i + 1;
                }
                lineEmpty = true;
            } else if (b[i] != '\r') {
                lineEmpty = false;
            }
        }
        return -1;
    }

    /**
     * What Dovecot's POP3 server gave as UIDL: the uidlist's {@code P} value; with
     * {@code pop3_reuse_xuidl}, the {@code X-UIDL} header; the UID and UIDVALIDITY in
     * {@code pop3_uidl_format}. A file the uidlist does not know keeps its {@code X-UIDL}, if any.
     */
    private static Optional<String> uidl(DovecotUidlist uidlist, String base, Headers h, ScanOptions options)
            throws ImportFormatException {
        Optional<String> saved = uidlist.pop3Uidl(base);
        if (saved.isPresent()) {
            return saved;
        }
        Optional<String> xuidl = h.first("X-UIDL");
        if (options.reuseXuidl() && xuidl.isPresent()) {
            return xuidl;
        }
        Optional<Long> uid = uidlist.uid(base);
        if (uid.isPresent()) {
            return Optional.of(options.uidlFormat().format(uid.get(), uidlist.validity(), base));
        }
        return xuidl;
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

        /** Writes one message; its file name carries its size ({@code S=}), counted as it is written. */
        public void add(String uidl, Instant received, SourceMessage.Content content) throws IOException {
            uid++;
            String name = received.getEpochSecond() + ".M" + uid + "P" + ProcessHandle.current().pid() + "." + host;
            Path tmp = dir.resolve("tmp").resolve(name);
            long size;
            try (OutputStream o = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                 InputStream in = content.open()) {
                size = in.transferTo(o);
            }
            Files.setLastModifiedTime(tmp, FileTime.from(received));
            String base = name + ",S=" + size;
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
