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
        Mbox.write(out, "a@b.test", java.time.Instant.parse("2026-01-05T10:11:12Z"), java.util.Optional.empty(),
                new java.io.ByteArrayInputStream(expected));
        assertThat(out.toString(US_ASCII)).isEqualTo(mbox.substring(0, mbox.indexOf("\nFrom a@b.test Mon Jan  5 10:11:13")) + "\n");
    }

    @Test
    void dovecotUidlFormatModifiersPrintAsDovecotDoes() throws Exception {
        assertThat(UidlFormat.parse("%08UXu%08UXv").format(26, 1_700_000_000L, "f")).isEqualTo("0000001A6553F100");
        assertThat(UidlFormat.parse("%u-%Lf").format(3, 1, "AbC")).isEqualTo("3-abc");
        assertThatThrownBy(() -> UidlFormat.parse("%08X")).isInstanceOf(ImportFormatException.class)
                .hasMessageContaining("ends in the middle of a variable");
    }

    @Test
    void aFromLineWithoutADateAfterABlankLineIsRefusedRatherThanMergingTwoMessages(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("nodate.mbox"), "From a@b.test Mon Jan  5 10:11:12 2026\nSubject: one\n\n"
                + "first\n\nFrom a@b.test\nSubject: two\n\nsecond\n\n", US_ASCII);
        assertThatThrownBy(() -> Mbox.scan(file, Mbox.Format.MBOXRD, ScanOptions.defaults()))
                .isInstanceOf(ImportFormatException.class)
                .hasMessage(file + ": line 6: \"From a@b.test\" would start a message but has no date: fix it, or quote"
                        + " it as \">From\" if it is text");
    }

    @Test
    void aTruncatedMboxIsReportedAndWithSkipBadOnlyItsLastMessageIsLeftOut(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("cut.mbox"), "From a@b.test Mon Jan  5 10:11:12 2026\nSubject: one\n\n"
                + "first\n\nFrom a@b.test Mon Jan  5 10:11:13 2026\nSubject: two\n\nsecond message, cut he", US_ASCII);
        assertThatThrownBy(() -> Mbox.scan(file, Mbox.Format.MBOXRD, ScanOptions.defaults()))
                .isInstanceOf(ImportFormatException.class)
                .hasMessage(file + ": message 2 (line 6): the file ends inside this message (truncated?)");
        List<String> reports = new java.util.ArrayList<>();
        List<SourceMessage> kept = Mbox.scan(file, Mbox.Format.MBOXRD, new ScanOptions(UidlFormat.dovecotDefault(), false,
                BadMessages.skip(reports::add), () -> { }));
        assertThat(kept).extracting(SourceMessage::where).containsExactly("message 1 (line 1)");
        assertThat(reports).containsExactly(file + ": message 2 (line 6): the file ends inside this message (truncated?)");
    }

    @Test
    void aContentLengthCutShortOfTheFileIsReportedAsTruncated(@TempDir Path tmp) throws Exception {
        Path file = Files.writeString(tmp.resolve("cl.mbox"), "From a@b.test Mon Jan  5 10:11:12 2026\n"
                + "X-IMAPbase: 1700000000 2\nX-UID: 1\nContent-Length: 500\n\nonly a few octets\n", US_ASCII);
        assertThatThrownBy(() -> Mbox.scan(file, Mbox.detect(file), ScanOptions.defaults()))
                .hasMessageContaining("message 1 (line 1): the file ends inside this message (truncated?)");
    }

    @Test
    void dovecotMboxMessageEndsByItsContentLengthSoAnUnquotedFromLineInsideStaysContent(@TempDir Path tmp) throws Exception {
        String body = "before\n\nFrom the desk of Ann Mon Jan  5 10:11:12 2026\n>From quoted stays quoted\n";
        String mbox = "From ann@example.org  Mon Jan  5 10:11:12 2026\nSubject: one\nX-IMAPbase: 1700000000 3\n"
                + "X-UID: 1\nStatus: RO\nX-Keywords: $Label1\nContent-Length: " + body.length() + "\n\n" + body + "\n"
                + "From ann@example.org  Mon Jan  5 10:11:13 2026\nSubject: two\nX-UID: 2\nX-UIDL: old-2\n"
                + "Content-Length: 4\n\ntwo\n\n";
        Path file = Files.writeString(tmp.resolve("dovecot.mbox"), mbox, US_ASCII);
        assertThat(Mbox.detect(file)).isEqualTo(Mbox.Format.DOVECOT);
        List<SourceMessage> messages = Mbox.scan(file, Mbox.detect(file), ScanOptions.defaults());
        assertThat(messages).hasSize(2);
        try (InputStream in = messages.get(0).content().open()) {
            assertThat(new String(in.readAllBytes(), US_ASCII)).isEqualTo("Subject: one\n\n" + body);
        }
        assertThat(messages).extracting(m -> m.uidl().orElseThrow()).containsExactly("000000016553f100", "000000026553f100");
        List<SourceMessage> reused = Mbox.scan(file, Mbox.Format.DOVECOT, new ScanOptions(UidlFormat.dovecotDefault(), true,
                BadMessages.refuse(), () -> { }));
        assertThat(reused).extracting(m -> m.uidl().orElseThrow()).containsExactly("000000016553f100", "old-2");
    }
}
