package dev.mailwright.admin.mail;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The scan reads each file once into a shared buffer: headers longer than it, and files without a body, too. */
class MaildirTest {

    @TempDir
    Path dir;

    private void write(String name, String content, long mtime) throws Exception {
        Path p = Files.writeString(dir.resolve("cur").resolve(name), content);
        Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(mtime)));
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(UTF_8)));
    }

    @Test
    void everyFileIsHashedWholeAndItsHeaderReadWhateverItsLength() throws Exception {
        Files.createDirectories(dir.resolve("cur"));
        String small = "X-UIDL: small\nSubject: s\n\nbody\n";
        StringBuilder longHeader = new StringBuilder();
        for (int i = 0; longHeader.length() < 100_000; i++) {
            longHeader.append("X-Filler-").append(i).append(": ").append("y".repeat(60)).append('\n');
        }
        String big = longHeader + "X-UIDL: after-100k-of-header\n\n" + "z".repeat(70_000) + "\n";
        String headerOnly = "Subject: no body\nX-UIDL: header-only\n";
        write("1.M1P1.host:2,S", small, 1);
        write("2.M2P1.host:2,S", big, 2);
        write("3.M3P1.host:2,S", headerOnly, 3);

        List<SourceMessage> scanned = Maildir.scan(dir, ScanOptions.defaults());

        assertThat(scanned).extracting(SourceMessage::uidl).containsExactly(Optional.of("small"),
                Optional.of("after-100k-of-header"), Optional.of("header-only"));
        assertThat(scanned).extracting(SourceMessage::digest).containsExactly(sha256(small), sha256(big), sha256(headerOnly));
        try (var in = scanned.get(1).content().open()) {
            assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(big);
        }
    }
}
