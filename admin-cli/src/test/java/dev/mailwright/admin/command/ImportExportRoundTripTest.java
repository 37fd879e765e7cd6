package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.admin.mail.TestMail;
import dev.mailwright.store.Account;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.content.WireFormat;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1000 generated messages imported from mbox and from Maildir, checked as POP3 would serve
 * them (content, wire size, UIDL) and exported back byte for byte.
 */
class ImportExportRoundTripTest extends CommandTest {

    private static final int COUNT = 1000;
    private static List<TestMail.Message> messages;

    @TempDir
    Path tmp;

    @BeforeAll
    static void generate() {
        messages = TestMail.messages(COUNT);
    }

    private byte[] content(Account a, MessageInfo m) throws Exception {
        try (InputStream in = store.mailboxes().open(a.id(), m.uid())) {
            return in.readAllBytes();
        }
    }

    /** What POP3 RETR sends before dot-stuffing: the maildrop's content in wire form, and the LIST size. */
    private void assertServedAsPop3WouldSendThem(Account a) throws Exception {
        try (Maildrop drop = store.maildrops().open(a.id(), "test", Duration.ofMinutes(5))) {
            List<MessageInfo> list = drop.messages();
            assertThat(list).hasSize(COUNT);
            for (int i = 0; i < COUNT; i++) {
                byte[] wire;
                try (InputStream in = WireFormat.normalize(drop.open(list.get(i).uid()))) {
                    wire = in.readAllBytes();
                }
                byte[] expected = WireFormat.normalize(new ByteArrayInputStream(messages.get(i).content())).readAllBytes();
                assertThat(wire).as("message %d", i + 1).isEqualTo(expected);
                assertThat(list.get(i).size()).as("size of message %d", i + 1).isEqualTo(expected.length);
            }
        }
    }

    @Test
    void mboxImportKeepsContentDatesAndUidlsAndExportsBackByteForByte() throws Exception {
        Account ann = user("ann@example.org");
        byte[] mbox = TestMail.mbox(messages);
        Path source = tmp.resolve("ann.mbox");
        Files.write(source, mbox);

        Result r = run("import", "mbox", "--user", "ann@example.org", source.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("imported 1000 message(s)").contains("skipped 0 already there");

        List<MessageInfo> stored = store.mailboxes().list(ann.id());
        assertThat(stored).hasSize(COUNT);
        List<String> uidls = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            TestMail.Message m = messages.get(i);
            assertThat(content(ann, stored.get(i))).as("message %d", i + 1).isEqualTo(m.content());
            assertThat(stored.get(i).received()).isEqualTo(m.received());
            m.xUidl().ifPresent(u -> assertThat(stored.get(uidls.size()).uidl()).isEqualTo(u));
            uidls.add(stored.get(i).uidl());
        }
        assertThat(uidls).doesNotHaveDuplicates();
        assertServedAsPop3WouldSendThem(ann);

        Result again = run("import", "mbox", "--user", "ann@example.org", source.toString());
        assertThat(again.out()).startsWith("imported 0 message(s)").contains("skipped 1000 already there");
        assertThat(store.mailboxes().list(ann.id())).hasSize(COUNT);

        // the export is the source with each message's UIDL as its first header line
        Path exported = tmp.resolve("export.mbox");
        Result e = run("export", "mbox", "--user", "ann@example.org", exported.toString());
        assertThat(e.exit()).as(e.err()).isZero();
        // nothing but the periodic progress lines a slow (loaded) export prints every 10 s
        assertThat(e.err().lines().filter(l -> !l.startsWith("exporting "))).isEmpty();
        assertThat(Files.readAllBytes(exported)).isEqualTo(TestMail.mbox(messages, uidls));

        // it imports into another mailbox with the same UIDLs, the X-UIDL lines left out again: the same bytes
        Account bob = user("bob@example.org");
        Result b = run("import", "mbox", "--user", "bob@example.org", exported.toString());
        assertThat(b.out()).as(b.err()).startsWith("imported 1000 message(s)");
        List<MessageInfo> bobs = store.mailboxes().list(bob.id());
        assertThat(bobs).extracting(MessageInfo::uidl).isEqualTo(uidls);
        for (int i = 0; i < COUNT; i++) {
            assertThat(content(bob, bobs.get(i))).as("message %d", i + 1).isEqualTo(messages.get(i).content());
        }
        // and into the mailbox it came from, nothing
        assertThat(run("import", "mbox", "--user", "ann@example.org", exported.toString()).out())
                .startsWith("imported 0 message(s), 0 octets, into ann@example.org; skipped 1000 already there; ");
        // an export of the re-import is the same file
        Path second = tmp.resolve("again.mbox");
        assertThat(run("export", "mbox", "--user", "bob@example.org", second.toString()).exit()).isZero();
        assertThat(Files.readAllBytes(second)).isEqualTo(Files.readAllBytes(exported));
    }

    @Test
    void maildirImportTakesDovecotUidlsAndMtimesAndExportsBackByteForByte() throws Exception {
        Account ann = user("ann@example.org");
        Path source = tmp.resolve("Maildir");
        List<Optional<String>> expectedUidls = TestMail.maildir(source, messages, 800, 1_700_000_000L);

        Result r = run("import", "maildir", "--user", "ann@example.org", source.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("imported 1000 message(s)");

        List<MessageInfo> stored = store.mailboxes().list(ann.id());
        assertThat(stored).hasSize(COUNT);
        for (int i = 0; i < COUNT; i++) {
            assertThat(content(ann, stored.get(i))).as("message %d", i + 1).isEqualTo(messages.get(i).content());
            assertThat(stored.get(i).received()).isEqualTo(messages.get(i).received());
            int n = i;
            expectedUidls.get(i).ifPresent(u -> assertThat(stored.get(n).uidl()).as("UIDL of message %d", n + 1).isEqualTo(u));
        }
        assertThat(stored.get(0).uidl()).isEqualTo("migrated-1");
        assertThat(stored.get(1).uidl()).isEqualTo("000000026553f100");
        assertThat(stored).extracting(MessageInfo::uidl).doesNotHaveDuplicates();
        assertServedAsPop3WouldSendThem(ann);

        assertThat(run("import", "maildir", "--user", "ann@example.org", source.toString()).out())
                .startsWith("imported 0 message(s)");

        Path exported = tmp.resolve("Exported");
        Result e = run("export", "maildir", "--user", "ann@example.org", exported.toString());
        assertThat(e.exit()).as(e.err()).isZero();
        List<String> uidlist = Files.readAllLines(exported.resolve("dovecot-uidlist"));
        assertThat(uidlist).hasSize(COUNT + 1);
        for (int i = 0; i < COUNT; i++) {
            String[] entry = uidlist.get(i + 1).split(" ");
            assertThat(entry[1]).isEqualTo("P" + stored.get(i).uidl());
            Path file = exported.resolve("cur").resolve(entry[2].substring(1) + ":2,");
            assertThat(Files.readAllBytes(file)).as("exported message %d", i + 1).isEqualTo(messages.get(i).content());
            assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(messages.get(i).received());
        }

        // the export imports into another mailbox with the same UIDLs, order and dates
        Account bob = user("bob@example.org");
        run("import", "maildir", "--user", "bob@example.org", exported.toString());
        List<MessageInfo> again = store.mailboxes().list(bob.id());
        assertThat(again).extracting(MessageInfo::uidl).isEqualTo(stored.stream().map(MessageInfo::uidl).toList());
        assertThat(again).extracting(MessageInfo::received).isEqualTo(stored.stream().map(MessageInfo::received).toList());
    }

    @Test
    void exportRefusesToOverwrite() throws Exception {
        user("ann@example.org");
        Path existing = Files.writeString(tmp.resolve("there.mbox"), "keep me");
        Result r = run("export", "mbox", "--user", "ann@example.org", existing.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: " + existing + " exists; not overwritten\n");
        assertThat(Files.readString(existing)).isEqualTo("keep me");
        assertThat(run("export", "maildir", "--user", "ghost@example.org", tmp.resolve("x").toString()).err())
                .isEqualTo("error: no such user: ghost@example.org\n");
    }
}
