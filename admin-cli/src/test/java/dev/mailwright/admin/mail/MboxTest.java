package dev.mailwright.admin.mail;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MboxTest {

    @Test
    void fromLineDatesParseWithOrWithoutZoneAsUtc() {
        assertThat(Mbox.parseFromLineDate("Mon Jan  5 10:11:12 2026")).contains(Instant.parse("2026-01-05T10:11:12Z"));
        assertThat(Mbox.parseFromLineDate("Mon Jan 5 10:11:12 +0000 2026")).contains(Instant.parse("2026-01-05T10:11:12Z"));
        assertThat(Mbox.parseFromLineDate("Mon Jan  5 10:11 UTC 2026")).contains(Instant.parse("2026-01-05T10:11:00Z"));
        assertThat(Mbox.parseFromLineDate("yesterday")).isEmpty();
    }

    @Test
    void dovecotUidlFormatsGiveWhatDovecotServed() throws Exception {
        assertThat(UidlFormat.parse("%08Xu%08Xv").format(26, 1_700_000_000L, "f")).isEqualTo("0000001a6553f100");
        assertThat(UidlFormat.parse("%v.%u").format(26, 1_700_000_000L, "f")).isEqualTo("1700000000.26");
        assertThat(UidlFormat.parse("%f").format(1, 1, "1234.M1P2.host,S=10")).isEqualTo("1234.M1P2.host,S=10");
        assertThatThrownBy(() -> UidlFormat.parse("%m").format(1, 1, "f")).isInstanceOf(ImportFormatException.class)
                .hasMessageContaining("%m is not supported");
    }

    @Test
    void aLineLongerThanAPieceIsReadInPiecesAndOnlyItsStartCountsAsALineStart() throws Exception {
        String longLine = "y".repeat(Lines.MAX_PIECE) + ">From inside a long line\n";
        Lines lines = new Lines(new java.io.ByteArrayInputStream((longLine + ">From x\n").getBytes(US_ASCII)));
        assertThat(lines.next()).hasSize(Lines.MAX_PIECE);
        assertThat(lines.continued()).isFalse();
        assertThat(new String(lines.next(), US_ASCII)).isEqualTo(">From inside a long line\n");
        assertThat(lines.continued()).isTrue();
        assertThat(new String(lines.next(), US_ASCII)).isEqualTo(">From x\n");
        assertThat(lines.continued()).isFalse();
        assertThat(lines.next()).isNull();
    }

    @Test
    void messageWithHugeLinesReadsBackExactlyWithOnlyRealLineStartsUnquoted(@TempDir Path tmp) throws Exception {
        String body = "x".repeat(3 * Lines.MAX_PIECE + 17) + ">From stays quoted inside a line\n"
                + ">From is unquoted at a line start\n" + "z".repeat(Lines.MAX_PIECE) + "\n";
        String mbox = "From a@b.test Mon Jan  5 10:11:12 2026\nSubject: long\n\n" + body.replace("\n>From is", "\n>>From is")
                + "\nFrom a@b.test Mon Jan  5 10:11:13 2026\nSubject: next\n\nok\n";
        Path file = Files.writeString(tmp.resolve("long.mbox"), mbox, US_ASCII);
        List<SourceMessage> messages = Mbox.scan(file, Mbox.Format.MBOXRD, ScanOptions.defaults());
        assertThat(messages).hasSize(2);
        byte[] expected = ("Subject: long\n\n" + body.replace("\n>From is", "\n>From is")).getBytes(US_ASCII);
        try (InputStream in = messages.get(0).content().open()) {
            assertThat(in.readAllBytes()).isEqualTo(expected);
        }
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        assertThat(messages.get(0).digest()).isEqualTo(Lines.hex(sha.digest(expected)));
        assertThat(messages.get(1).where()).isEqualTo("message 2 (line 8)");

        // and written back, the line start is quoted again, the inside of the line is not
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        Mbox.write(out, "a@b.test", java.time.Instant.parse("2026-01-05T10:11:12Z"), new java.io.ByteArrayInputStream(expected));
        assertThat(out.toString(US_ASCII)).isEqualTo(mbox.substring(0, mbox.indexOf("\nFrom a@b.test Mon Jan  5 10:11:13")) + "\n");
    }
}
