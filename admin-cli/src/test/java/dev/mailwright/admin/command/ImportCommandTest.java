package dev.mailwright.admin.command;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.store.Account;
import dev.mailwright.store.Accounts;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MailboxImport;
import dev.mailwright.store.Mailboxes;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.StoreUnavailableException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImportCommandTest extends CommandTest {

    @TempDir
    Path tmp;

    private static String mbox(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            sb.append("From a@b.test Mon Jan  5 10:11:").append(String.format("%02d", i)).append(" 2026\n")
                    .append("Subject: m").append(i).append("\n\nbody ").append(i).append("\n\n");
        }
        return sb.toString();
    }

    @Test
    void malformedMessageStopsTheImportBeforeAnythingIsStoredAndSaysWhere() throws Exception {
        Account ann = user("ann@example.org");
        String text = mbox(3) + "From a@b.test Mon Jan  5 10:12:00 2026\nX-UIDL: has space\n\nbody\n";
        Path file = Files.writeString(tmp.resolve("bad.mbox"), text);
        Result r = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: " + file + ": message 4 (line 16): UIDL \"has space\" is not valid (1 to 70"
                + " printable ASCII characters); nothing imported\n");
        assertThat(store.mailboxes().list(ann.id())).isEmpty();
    }

    @Test
    void aBadMessageAfterThousandsStoredAsTheyWereReadStillStoresNothing() throws Exception {
        // into an empty mailbox messages are stored as they are read: batches are written before the bad one is met
        Account ann = user("ann@example.org");
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 1_500; i++) {
            text.append("From a@b.test Mon Jan  5 10:11:00 2026\nSubject: m").append(i).append("\n\nbody ").append(i).append("\n\n");
        }
        text.append("From a@b.test Mon Jan  5 10:12:00 2026\nX-UIDL: has space\n\nbody\n");
        Path file = Files.writeString(tmp.resolve("late-bad.mbox"), text);
        Result r = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).endsWith(": message 1501 (line 7501): UIDL \"has space\" is not valid (1 to 70"
                + " printable ASCII characters); nothing imported\n");
        assertThat(store.mailboxes().list(ann.id())).isEmpty();
        assertThat(store.accounts().get(ann.id()).orElseThrow().usage().messages()).isZero();
    }

    @Test
    void fileThatIsNotAnMboxIsRefusedWithItsLine() throws Exception {
        user("ann@example.org");
        Path file = Files.writeString(tmp.resolve("notes.txt"), "\nDear diary\n");
        Result r = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("line 2: not an mbox file");
        assertThat(run("import", "mbox", "--user", "ann@example.org", tmp.resolve("missing").toString()).err())
                .isEqualTo("error: cannot read " + tmp.resolve("missing") + ": no such file\n");
        assertThat(run("import", "maildir", "--user", "ann@example.org", tmp.toString()).err())
                .contains("not a Maildir (no cur/ or new/ directory)");
    }

    @Test
    void duplicateXUidlInTheSourceIsRefused() throws Exception {
        user("ann@example.org");
        String text = "From a@b.test Mon Jan  5 10:11:00 2026\nX-UIDL: same\n\nx\n\n"
                + "From a@b.test Mon Jan  5 10:11:01 2026\nX-UIDL: same\n\ny\n";
        Path file = Files.writeString(tmp.resolve("dup.mbox"), text);
        assertThat(run("import", "mbox", "--user", "ann@example.org", file.toString()).err())
                .contains("message 2 (line 6): UIDL same repeats that of message 1 (line 1); nothing imported");
    }

    @Test
    void skipBadLeavesOutOnlyTheBadMessagesAndNamesEachOnStderr() throws Exception {
        Account ann = user("ann@example.org");
        String text = "From a@b.test Mon Jan  5 10:11:00 2026\nX-UIDL: same\n\nx\n\n"
                + "From a@b.test Mon Jan  5 10:11:01 2026\nX-UIDL: same\n\ny\n\n"
                + "From a@b.test Mon Jan  5 10:11:02 2026\nX-UIDL: other\n\nz\n\n";
        Path file = Files.writeString(tmp.resolve("dup.mbox"), text);
        Result r = run("import", "mbox", "--skip-bad", "--user", "ann@example.org", file.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).isEqualTo("skipped " + file + ": message 2 (line 6): UIDL same repeats that of message 1 (line 1)\n");
        assertThat(r.out()).startsWith("imported 2 message(s)").contains("left out 1 bad message(s) named on stderr");
        assertThat(store.mailboxes().list(ann.id())).extracting(MessageInfo::uidl).containsExactly("same", "other");
    }

    @Test
    void aMessageWhoseUidlIsThereWithOtherContentStaysAsStoredAndTwoMessagesMayExchangeUidls() throws Exception {
        Account ann = user("ann@example.org");
        Path first = Files.writeString(tmp.resolve("first.mbox"), "From a@b.test Mon Jan  5 10:11:00 2026\nSubject: 1\n"
                + "X-UIDL: u1\n\nx\n\nFrom a@b.test Mon Jan  5 10:11:01 2026\nSubject: 2\nX-UIDL: u2\n\ny\n");
        assertThat(run("import", "mbox", "--user", "ann@example.org", first.toString()).exit()).isZero();
        List<MessageInfo> before = store.mailboxes().list(ann.id());
        // u1 on other content: a POP3 client has u1 already, so the stored message stays
        Path changed = Files.writeString(tmp.resolve("changed.mbox"), "From a@b.test Mon Jan  5 10:11:00 2026\nSubject: 1\n"
                + "X-UIDL: u1\n\nchanged\n\nFrom a@b.test Mon Jan  5 10:11:01 2026\nSubject: 3\nX-UIDL: u3\n\nz\n");
        Result r = run("import", "mbox", "--user", "ann@example.org", changed.toString());
        assertThat(r.out()).startsWith("imported 1 message(s), 25 octets, into ann@example.org; skipped 1 already there; ");
        assertThat(store.mailboxes().list(ann.id())).extracting(MessageInfo::uidl).containsExactly("u1", "u2", "u3");
        try (java.io.InputStream in = store.mailboxes().open(ann.id(), before.get(0).uid())) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("Subject: 1\nX-UIDL: u1\n\nx\n");
        }
        // the X-UIDL headers are part of the content: swapping them gives other content. With identical
        // bodies and UIDLs from a uidl format instead, the two messages exchange UIDLs
        Path maildir = Files.createDirectories(tmp.resolve("Maildir"));
        Files.createDirectories(maildir.resolve("cur"));
        Files.writeString(maildir.resolve("cur/1.M1P1.host:2,S"), "Subject: one\n\n1\n");
        Files.writeString(maildir.resolve("cur/2.M2P1.host:2,S"), "Subject: two\n\n2\n");
        Files.writeString(maildir.resolve("dovecot-uidlist"), "3 V9 N3\n1 :1.M1P1.host\n2 :2.M2P1.host\n");
        Account bob = user("bob@example.org");
        assertThat(run("import", "maildir", "--user", "bob@example.org", maildir.toString()).exit()).isZero();
        assertThat(store.mailboxes().list(bob.id())).extracting(MessageInfo::uidl).containsExactly("0000000100000009",
                "0000000200000009");
        Files.writeString(maildir.resolve("dovecot-uidlist"), "3 V9 N3\n2 :1.M1P1.host\n1 :2.M2P1.host\n");
        r = run("import", "maildir", "--user", "bob@example.org", maildir.toString());
        assertThat(r.out()).as(r.err()).startsWith("imported 0 message(s), 0 octets, into bob@example.org; skipped 0 already"
                + " there; gave 2 already there their new UIDLs;");
        List<MessageInfo> swapped = store.mailboxes().list(bob.id());
        assertThat(swapped).extracting(MessageInfo::uidl).containsExactly("0000000200000009", "0000000100000009");
        try (java.io.InputStream in = store.mailboxes().open(bob.id(), swapped.get(0).uid())) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("Subject: one\n\n1\n");
        }
    }

    @Test
    void unknownUserIsAUserError() throws Exception {
        store.domains().add("example.org");
        Path file = Files.writeString(tmp.resolve("ok.mbox"), mbox(1));
        Result r = run("import", "mbox", "--user", "ghost@example.org", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no such user: ghost@example.org\n");
    }

    /** {@code count} messages, each five lines long (message k starts at line 5k - 4), no two alike. */
    private static String manyMessages(int count) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            sb.append(String.format("From a@b.test Mon Jan  5 %02d:%02d:%02d 2026\n", i / 3600, i / 60 % 60, i % 60))
                    .append("Subject: message ").append(i).append("\n\nbody ").append(i).append("\n\n");
        }
        return sb.toString();
    }

    private record Before(List<MessageInfo> messages, dev.mailwright.store.Usage usage) {
    }

    private Before before(Account a) {
        return new Before(store.mailboxes().list(a.id()), store.accounts().get(a.id()).orElseThrow().usage());
    }

    /** Makes the commands' store begin imports through {@code begin}, given the real mailboxes and the account id. */
    private void beginImportsWith(BiFunction<Mailboxes, Long, MailboxImport> begin) {
        MailStore real = store;
        context = new dev.mailwright.admin.TestContext(() -> new Unclosed(real) {
            @Override
            public Mailboxes mailboxes() {
                return new ImportsWrapped(real.mailboxes(), begin);
            }
        });
    }

    /** The store's mailboxes with {@code beginImport} changed by the test. */
    private static final class ImportsWrapped implements Mailboxes {
        private final Mailboxes delegate;
        private final BiFunction<Mailboxes, Long, MailboxImport> begin;

        ImportsWrapped(Mailboxes delegate, BiFunction<Mailboxes, Long, MailboxImport> begin) {
            this.delegate = delegate;
            this.begin = begin;
        }

        @Override
        public List<MessageInfo> list(long accountId) {
            return delegate.list(accountId);
        }

        @Override
        public InputStream open(long accountId, long uid) {
            return delegate.open(accountId, uid);
        }

        @Override
        public int delete(long accountId, Set<Long> uids) {
            return delegate.delete(accountId, uids);
        }

        @Override
        public MailboxImport beginImport(long accountId) {
            return begin.apply(delegate, accountId);
        }

        @Override
        public java.util.Map<Long, String> contentDigests(long accountId) {
            return delegate.contentDigests(accountId);
        }
    }

    @Test
    void quotaExceededAtThe500thMessageLeavesTheMailboxExactlyAsBefore() throws Exception {
        Account ann = user("ann@example.org");
        Path first = Files.writeString(tmp.resolve("first.mbox"), manyMessages(2));
        assertThat(run("import", "mbox", "--user", "ann@example.org", first.toString()).exit()).isZero();
        // messages 1 and 2 are there already; 3 to 499 fit, 500 does not
        store.accounts().setQuota(ann.address(), new dev.mailwright.store.Quota(0, 499));
        Before before = before(ann);

        Path file = Files.writeString(tmp.resolve("all.mbox"), manyMessages(1000));
        Result r = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(r.exit()).isEqualTo(1);
        // not a terminal: no progress for a short run, the error alone
        assertThat(r.err()).isEqualTo("error: import failed at message 500 (line 2496): mailbox full: ann@example.org;"
                + " nothing imported\n");
        assertThat(r.out()).isEmpty();
        assertThat(before(ann)).isEqualTo(before);
    }

    @Test
    void storageFailureAtThe500thMessageStoresNothingAndARerunImportsEverythingOnce() throws Exception {
        Account ann = user("ann@example.org");
        deliver(ann, "Subject: already here\r\n\r\nx\r\n", Instant.parse("2026-01-01T00:00:00Z"));
        Before before = before(ann);
        AtomicInteger adds = new AtomicInteger();
        beginImportsWith((mailboxes, accountId) -> {
            MailboxImport imp = mailboxes.beginImport(accountId);
            return new MailboxImport() {
                @Override
                public long add(Instant received, Optional<String> uidl, InputStream content) {
                    if (adds.incrementAndGet() == 500) { // once: the re-run below counts on from 501
                        throw new StoreUnavailableException("connection lost", null);
                    }
                    return imp.add(received, uidl, content);
                }

                @Override
                public void remap(java.util.Map<Long, String> uidls) {
                    imp.remap(uidls);
                }

                @Override
                public List<MessageInfo> commit() {
                    return imp.commit();
                }

                @Override
                public void abort() {
                    imp.abort();
                }

                @Override
                public void close() {
                    imp.close();
                }
            };
        });
        Path file = Files.writeString(tmp.resolve("all.mbox"), manyMessages(1000));
        Result r = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: import failed at message 500 (line 2496): connection lost; nothing imported\n");
        assertThat(before(ann)).isEqualTo(before);

        Result again = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(again.exit()).as(again.err()).isZero();
        assertThat(again.out()).startsWith("imported 1000 message(s), ").contains("skipped 0 already there");
        Result third = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(third.out()).startsWith("imported 0 message(s), 0 octets").contains("skipped 1000 already there");
        assertThat(store.mailboxes().list(ann.id())).hasSize(1001);
        assertThat(store.accounts().recalculateUsage(ann.address())[0])
                .isEqualTo(store.accounts().get(ann.id()).orElseThrow().usage());
    }

    @Test
    void unreadableMaildirFileWhileStoringStoresNothingAndNamesTheFile() throws Exception {
        Account ann = user("ann@example.org");
        Path dir = tmp.resolve("Maildir");
        Files.createDirectories(dir.resolve("cur"));
        Files.writeString(dir.resolve("cur/1.host:2,"), "Subject: one\n\nx\n");
        Files.writeString(dir.resolve("cur/2.host:2,"), "Subject: two\n\ny\n");
        Instant t = Instant.parse("2025-01-01T00:00:00Z");
        Files.setLastModifiedTime(dir.resolve("cur/1.host:2,"), FileTime.from(t));
        Files.setLastModifiedTime(dir.resolve("cur/2.host:2,"), FileTime.from(t.plusSeconds(1)));
        // a mailbox with mail: the whole source is scanned before anything is stored
        assertThat(run("import", "mbox", "--user", "ann@example.org",
                Files.writeString(tmp.resolve("first.mbox"), mbox(1)).toString()).exit()).isZero();
        List<MessageInfo> before = store.mailboxes().list(ann.id());
        beginImportsWith((mailboxes, accountId) -> {
            // the second file goes away after the scan, before it is stored
            try {
                Files.delete(dir.resolve("cur/2.host:2,"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return mailboxes.beginImport(accountId);
        });
        Result r = run("import", "maildir", "--user", "ann@example.org", dir.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: import failed at cur/2.host:2,: no such file; nothing imported\n");
        assertThat(store.mailboxes().list(ann.id())).isEqualTo(before);
    }

    @Test
    void progressIsOneLineRewrittenOnATerminalNothingForAShortImportElsewhereAndTheSummaryOnStdout() throws Exception {
        user("ann@example.org");
        Path file = Files.writeString(tmp.resolve("ok.mbox"), mbox(3));
        Result quiet = run("import", "mbox", "--user", "ann@example.org", file.toString());
        assertThat(quiet.err()).isEmpty();
        assertThat(quiet.out()).matches("imported 3 message\\(s\\), \\d+ octets, into ann@example.org; skipped 0 already"
                + " there; \\d+\\.\\d s\n");

        user("bob@example.org");
        terminal = true;
        // into an empty mailbox each message is stored as it is read: one phase, its total unknown
        Result shown = run("import", "mbox", "--user", "bob@example.org", file.toString());
        // the progressbar library's bar: task, percentage (none while the total is unknown), count;
        // how many refreshes it draws in between depends on its timer, so only their order is checked
        assertThat(shown.err()).startsWith("\rimporting " + file).contains(" 3/? msg").endsWith("\r\033[K")
                .doesNotContain("\n").doesNotContain("scanning");
        assertThat(shown.out()).startsWith("imported 3 message(s)");

        // into a mailbox that has mail, the source is read whole first, to recognise what is there
        Result again = run("import", "mbox", "--user", "bob@example.org", file.toString());
        assertThat(again.err()).startsWith("\rscanning " + file).contains(" 3/? msg").contains("\r\033[K\rimporting ")
                .endsWith("\r\033[K").doesNotContain("\n");
        assertThat(again.err().indexOf("scanning")).isLessThan(again.err().indexOf("importing"));
        assertThat(again.out()).startsWith("imported 0 message(s)").contains("skipped 3 already there");
    }

    @Test
    void mboxoUnquotesOnlyOneLevelOfFrom() throws Exception {
        Account ann = user("ann@example.org");
        String text = "From a@b.test Mon Jan  5 10:11:00 2026\n\n>From x\n>>From y\n";
        Path file = Files.writeString(tmp.resolve("o.mbox"), text);
        assertThat(run("import", "mbox", "--format", "mboxo", "--user", "ann@example.org", file.toString()).exit()).isZero();
        MessageInfo m = store.mailboxes().list(ann.id()).get(0);
        assertThat(new String(store.mailboxes().open(ann.id(), m.uid()).readAllBytes(), UTF_8))
                .isEqualTo("\nFrom x\n>>From y\n");
    }

    @Test
    void passwdFileUsersOfEverySupportedSchemeLogInWithTheirOldPasswords() throws Exception {
        store.domains().add("example.org");
        String[][] vectors = {
            {"argon2id", "pw-argon2", "{ARGON2ID}$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4"},
            {"argon2i", "password", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"},
            {"sha512crypt", "pw-sha512", "{SHA512-CRYPT}$6$saltsaltsalt$k4nwCvvvLdcJJurhxrP379bGtpkM.obZBi2HRJRwRK3ht/YJDNVjG8qq76iCgRvfKG/yVRmsby5JmvDOrx/0Q1"},
            {"sha256crypt", "pw-sha256", "{SHA256-CRYPT}$5$rounds=5000$saltysalt$JScZb3DqAvj68NYjq9vyHPDUaHRyK.2BqaQg.dlrDW5"},
            {"md5crypt", "pw-md5", "{CRYPT}$1$saltsalt$AJwDIrlvWUF2iKSOOX4fZ0"},
            {"bcrypt", "pw-bcrypt", "{BLF-CRYPT}$2b$05$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG"},
            {"ssha512", "pw-ssha512", "{SSHA512}NbKCvzR+cU2SJbuBPuQQKufaGsi3iTuBTG/i/dd0gJbpafdK04CC47S7fNSbZjSdHtXGZmFfpNHTa0ZM6/6GqjhieXRlc2Fs"},
            {"ssha256", "pw-ssha256", "{SSHA256}1AoYQnMC73gQuL+WaPhAzoNSN8aQXxWK/+JXkDWhoCc4Ynl0ZXNhbA=="},
            {"sha512", "pw-sha512plain", "{SHA512}o+CnsfHBinFv6fqBXykJMWP8vaEKlmnf6LIjmUP0/GULEq5oCkmk/2M9Uq6nPyx7AaX1FCXCpYOwNSzWNfpGoA=="},
            {"pbkdf2", "pw-pbkdf2", "{PBKDF2}$1$AbCdEfGhIjKlMnOp$5000$c9031826a774614e043ea3e5dc8375c48efbcb51"},
            {"plain", "pw-plain", "{PLAIN}pw-plain"},
        };
        StringBuilder file = new StringBuilder("# exported from dovecot\n\n");
        for (String[] v : vectors) {
            file.append(v[0]).append(':').append(v[2]).append(":1000:1000::/home/").append(v[0]).append("::userdb_quota_rule=*:storage=1G\n");
        }
        Path passwd = Files.writeString(tmp.resolve("passwd"), file.toString());
        Result r = run("import", "passwd-file", "--domain", "example.org", passwd.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("imported 11 user(s) from " + passwd + "\n");
        for (String[] v : vectors) {
            String user = v[0] + "@example.org";
            assertThat(store.accounts().authenticate(user, (v[1] + "x").toCharArray())).as(user + " wrong password").isEmpty();
            assertThat(store.accounts().authenticate(user, v[1].toCharArray())).as(user).isPresent();
            // rehashed to the default on that login: the old password still works
            assertThat(store.accounts().authenticate(user, v[1].toCharArray())).as(user + " after rehash").isPresent();
        }
    }

    @Test
    void passwdFileHashesOverTheCostCapsAreRefusedNamingLineAndCap() throws Exception {
        store.domains().add("example.org");
        String[][] cases = {
            {"$argon2id$v=19$m=1048576,t=1,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
                "Argon2 memory m=1048576 KiB is over the cap of 262144 KiB (256 MiB)"},
            {"{ARGON2ID}$argon2id$v=19$m=19456,t=12,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
                "Argon2 iterations t=12 is over the cap of 10"},
            {"$argon2id$v=19$m=19456,t=2,p=16$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4",
                "Argon2 lanes p=16 is over the cap of 8"},
            {"{BLF-CRYPT}$2y$15$abcdefghijklmnopqrstuu05PhAplxWqDxnJScpSYqKmGxTbks2mG", "bcrypt cost 15 is over the cap of 13"},
            {"{SHA512-CRYPT}$6$rounds=5000000$saltsaltsalt$k4nwCvvvLdcJJurhxrP379bGtpkM.obZBi2HRJRwRK3ht/YJDNVjG8qq76iCgRvfKG/"
                + "yVRmsby5JmvDOrx/0Q1", "crypt rounds=5000000 is over the cap of 1000000"},
            {"{PBKDF2}$1$AbCdEfGhIjKlMnOp$2000000$c9031826a774614e043ea3e5dc8375c48efbcb51",
                "PBKDF2 iterations 2000000 is over the cap of 1000000"},
        };
        for (String[] c : cases) {
            Path file = Files.writeString(tmp.resolve("caps"), "ok@example.org:{PLAIN}secret-one\nbig@example.org:" + c[0]
                    + ":1000:1000::/home/big:\n");
            Result r = run("import", "passwd-file", file.toString());
            assertThat(r.exit()).as(c[1]).isEqualTo(1);
            assertThat(r.err()).isEqualTo("error: " + file + ": line 2: big@example.org: " + c[1] + "; nothing imported\n");
            assertThat(store.accounts().get(Address.parse("ok@example.org"))).isEmpty();
        }
    }

    @Test
    void passwdFileIsAllOrNothingAndSkipUnsupportedLeavesOutOnlyTheUnsupportedSchemes() throws Exception {
        store.domains().add("example.org");
        user("taken@example.org");
        // an unsupported scheme refuses the whole file, naming each such line
        Path unsupported = Files.writeString(tmp.resolve("p1"), "u1@example.org:{PLAIN}secret-one\nu2@example.org:{MD4}abcdef\n"
                + "u3@example.org:{NTLM}abcdef\n");
        Result refused = run("import", "passwd-file", unsupported.toString());
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo(unsupported + ": line 2: u2@example.org: {MD4} is not a supported password scheme\n"
                + unsupported + ": line 3: u3@example.org: {NTLM} is not a supported password scheme\n"
                + "error: " + unsupported + ": 2 line(s) with an unsupported password scheme, named above; nothing imported"
                + " (--skip-unsupported imports the other users, those users then need a new password: 'user passwd')\n");
        assertThat(refused.out()).isEmpty();
        assertThat(store.accounts().get(Address.parse("u1@example.org"))).isEmpty();
        // --skip-unsupported leaves out those lines alone, named on stderr and counted
        Result r1 = run("import", "passwd-file", "--skip-unsupported", unsupported.toString());
        assertThat(r1.exit()).as(r1.err()).isZero();
        assertThat(r1.err()).isEqualTo("not imported: " + unsupported + ": line 2: u2@example.org: {MD4} is not a supported"
                + " password scheme\nnot imported: " + unsupported + ": line 3: u3@example.org: {NTLM} is not a supported"
                + " password scheme\n");
        assertThat(r1.out()).isEqualTo("imported 1 user(s) from " + unsupported + "; left out 2 with an unsupported password"
                + " scheme, named on stderr\n");
        assertThat(store.accounts().get(Address.parse("u2@example.org"))).isEmpty();

        Path existing = Files.writeString(tmp.resolve("p2"), "a@example.org:{PLAIN}secret-one\ntaken@example.org:{PLAIN}x\n");
        Result r2 = run("import", "passwd-file", existing.toString());
        assertThat(r2.err()).contains("line 2: user exists: taken@example.org (use --skip-existing); nothing imported");
        assertThat(store.accounts().get(Address.parse("a@example.org"))).isEmpty();

        Path foreign = Files.writeString(tmp.resolve("p3"), "a@example.org:{PLAIN}secret-one\nz@nowhere.test:{PLAIN}x\n");
        assertThat(run("import", "passwd-file", foreign.toString()).err()).contains("line 2: unknown domain nowhere.test");

        Path noDomain = Files.writeString(tmp.resolve("p4"), "bare:{PLAIN}secret-one\n");
        assertThat(run("import", "passwd-file", noDomain.toString()).err()).contains("line 1: user bare has no domain; give --domain");

        Path malformed = Files.writeString(tmp.resolve("p5"), "just-a-name\n");
        assertThat(run("import", "passwd-file", malformed.toString()).err()).contains("line 1: expected user:password");
        assertThat(store.accounts().list(Optional.empty())).extracting(a -> a.address().toString())
                .containsExactlyInAnyOrder("taken@example.org", "u1@example.org");

        Result skip = run("import", "passwd-file", "--skip-existing", existing.toString());
        assertThat(skip.out()).isEqualTo("imported 1 user(s) from " + existing + "; skipped 1 existing\n");
    }

    @Test
    void passwdFileWithManyUsersStoresNoneWhenOneFailsWhileStoring() throws Exception {
        store.domains().add("example.org");
        StringBuilder file = new StringBuilder();
        for (int i = 1; i <= 300; i++) {
            file.append("user").append(i).append(":{PLAIN}secret-").append(i).append('\n');
        }
        Path passwd = Files.writeString(tmp.resolve("passwd"), file.toString());
        MailStore real = store;
        // another administrator adds user300 after the command's checks, before it stores
        context = new dev.mailwright.admin.TestContext(() -> new Unclosed(real) {
            @Override
            public Accounts accounts() {
                Accounts accounts = real.accounts();
                return (Accounts) Proxy.newProxyInstance(Accounts.class.getClassLoader(), new Class<?>[] {Accounts.class},
                        (proxy, method, args) -> {
                            if (method.getName().equals("addAllWithHash")) {
                                accounts.add(Address.parse("user300@example.org"), "a-good-long-password".toCharArray());
                            }
                            try {
                                return method.invoke(accounts, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        });
        Result r = run("import", "passwd-file", "--domain", "example.org", passwd.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: " + passwd + ": line 300: user exists: user300@example.org; nothing imported\n");
        assertThat(store.accounts().list(Optional.empty())).extracting(a -> a.address().toString())
                .containsExactly("user300@example.org");
    }

    @Test
    void missingPasswdFileIsAUserErrorThatNamesIt() {
        Path missing = tmp.resolve("no-passwd");
        Result r = run("import", "passwd-file", missing.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot read " + missing + ": no such file; nothing imported\n");
    }

    @Test
    void exportIntoAMissingDirectoryIsAUserError() {
        user("ann@example.org");
        Path target = tmp.resolve("no-such-dir").resolve("out.mbox");
        Result r = run("export", "mbox", "--user", "ann@example.org", target.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot write " + target + ": no such directory " + target.getParent() + "\n");
    }
}
