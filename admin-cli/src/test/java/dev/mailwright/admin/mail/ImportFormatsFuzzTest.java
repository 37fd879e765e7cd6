package dev.mailwright.admin.mail;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Coverage-guided fuzzing of what {@code import} reads from an old server (ADR 0025): mbox files in
 * each format, Maildirs with their {@code dovecot-uidlist}, and Dovecot passwd-files. The files are
 * written from the input into a scratch directory. A source is either refused with an
 * {@link ImportFormatException} (the CLI prints its message: which file, which line) or read into
 * messages whose content opens and whose UIDLs are valid and distinct, or users with a parsed
 * address and a hash. Text files that are not UTF-8 give a {@code CharacterCodingException}, which
 * the CLI prints as "not UTF-8". Any other exception, any other {@code IOException} included, is a
 * finding: the files are there and readable, so only their content can be wrong.
 */
class ImportFormatsFuzzTest {

    private static final Path SCRATCH;

    static {
        try {
            SCRATCH = Files.createTempDirectory("mailwright-fuzz-import");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** First octet: format (bits 0-1), X-UIDL reuse (bit 2), skip bad messages (bit 3); the rest is the mbox file. */
    @FuzzTest(maxDuration = "2m")
    void mboxShouldBeReadOrRefused(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        Path file = SCRATCH.resolve("mbox");
        Files.write(file, Arrays.copyOfRange(input, 1, input.length));
        Mbox.Format format = Mbox.Format.values()[(input[0] & 0x03) % 3];
        List<SourceMessage> messages;
        try {
            messages = Mbox.scan(file, format, options(input[0]));
        } catch (ImportFormatException e) {
            assertThat(e.getMessage()).startsWith(file.toString());
            return;
        }
        assertThat((long) messages.size()).isLessThanOrEqualTo(count(input, "From ") + 1);
        assertMessages(messages);
    }

    /**
     * The input is the {@code dovecot-uidlist}, then {@code 0xFF}-separated messages, stored in
     * {@code cur/} as {@code 1.M1P1.host:2,S}, {@code 2.M2P2.host:2,} and so on.
     */
    @FuzzTest(maxDuration = "2m")
    void maildirShouldBeReadOrRefused(byte[] input) throws IOException {
        if (input.length == 0) {
            return;
        }
        Path dir = SCRATCH.resolve("maildir");
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted((a, b) -> b.compareTo(a)).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir.resolve("cur"));
        Files.createDirectories(dir.resolve("new"));
        List<byte[]> parts = split(Arrays.copyOfRange(input, 1, input.length));
        Files.write(dir.resolve(Maildir.UIDLIST), parts.get(0));
        for (int i = 1; i < parts.size(); i++) {
            Files.write(dir.resolve("cur").resolve(i + ".M" + i + "P" + i + ".host:2," + (i % 2 == 0 ? "" : "S")), parts.get(i));
        }
        List<SourceMessage> messages;
        try {
            messages = Maildir.scan(dir, options(input[0]));
        } catch (CharacterCodingException e) {
            return; // a dovecot-uidlist that is not UTF-8
        } catch (ImportFormatException e) {
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        assertThat(messages.size()).isLessThanOrEqualTo(parts.size() - 1);
        assertMessages(messages);
    }

    /** The input is a passwd-file; users without a domain get example.org. */
    @FuzzTest(maxDuration = "2m")
    void passwdFileShouldBeReadOrRefused(byte[] input) throws IOException {
        Path file = SCRATCH.resolve("passwd");
        Files.write(file, input);
        PasswdFile.Result result;
        try {
            result = PasswdFile.read(file, Optional.of("example.org"));
        } catch (CharacterCodingException e) {
            return;
        } catch (ImportFormatException e) {
            assertThat(e.getMessage()).startsWith(file + ": line ");
            return;
        }
        Set<String> keys = new HashSet<>();
        int line = 0;
        for (PasswdFile.Entry e : result.entries()) {
            assertThat(e.line()).isGreaterThan(line);
            line = e.line();
            assertThat(keys.add(e.address().key())).as("one entry per user").isTrue();
            assertThat(e.hash()).isNotBlank();
            e.quota().ifPresent(q -> assertThat(q).isNotNull());
        }
        assertThat(result.rejected()).allMatch(r -> r.startsWith("line "));
    }

    private static ScanOptions options(byte flags) {
        return new ScanOptions(UidlFormat.dovecotDefault(), (flags & 0x04) != 0,
                (flags & 0x08) != 0 ? BadMessages.skip(why -> { }) : BadMessages.refuse(), () -> { });
    }

    private static void assertMessages(List<SourceMessage> messages) throws IOException {
        Set<String> uidls = new HashSet<>();
        for (SourceMessage m : messages) {
            m.uidl().ifPresent(u -> {
                assertThat(SourceMessage.isValidUidl(u)).as("UIDL %s", u).isTrue();
                assertThat(uidls.add(u)).as("UIDL %s twice", u).isTrue();
            });
            assertThat(m.digest()).matches("[0-9a-f]{64}");
            try (InputStream in = m.content().open()) {
                in.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    private static List<byte[]> split(byte[] b) {
        List<byte[]> parts = new ArrayList<>();
        int from = 0;
        for (int i = 0; i <= b.length; i++) {
            if (i == b.length || b[i] == (byte) 0xFF) {
                parts.add(Arrays.copyOfRange(b, from, i));
                from = i + 1;
            }
        }
        return parts;
    }

    private static long count(byte[] b, String what) {
        String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
        long n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }
}
