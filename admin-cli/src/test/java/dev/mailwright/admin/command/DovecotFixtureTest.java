package dev.mailwright.admin.command;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.protocol.limit.AuthThrottle;
import java.io.IOException;
import java.io.Reader;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture store a real Dovecot 2.3 made and served ({@code src/test/resources/dovecot-fixture},
 * see its README), imported with default options through the CLI into PostgreSQL, then fetched
 * over POP3 with Commons Net from Mailwright's POP3 server: every UIDL and every RETR (octets and
 * SHA-256) must be what Dovecot served.
 */
class DovecotFixtureTest extends CommandTest {

    private static final String PASSWORD = "a-good-long-password";

    @TempDir
    Path tmp;
    private Path fixture;

    /** One message as a POP3 server served it. */
    record Served(int number, String uidl, long octets, String sha256) {
    }

    @BeforeEach
    void copyFixture() throws IOException, URISyntaxException {
        Path source = Path.of(getClass().getResource("/dovecot-fixture").toURI());
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path p : walk.toList()) {
                Path to = tmp.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        fixture = tmp;
        // git keeps no mtimes; a Maildir's mtimes are its received dates
        for (String line : Files.readAllLines(fixture.resolve("mtimes.tsv"), UTF_8)) {
            String[] f = line.split("\t");
            long millis = Math.round(Double.parseDouble(f[1]) * 1000);
            Files.setLastModifiedTime(fixture.resolve("store").resolve(f[0]), FileTime.from(Instant.ofEpochMilli(millis)));
        }
    }

    private List<Served> dovecot(String file, String user) throws IOException {
        List<Served> out = new ArrayList<>();
        for (String line : Files.readAllLines(fixture.resolve(file), UTF_8)) {
            String[] f = line.split("\t");
            if (f[0].equals(user)) {
                out.add(new Served(Integer.parseInt(f[1]), f[2], Long.parseLong(f[4]), f[5]));
            }
        }
        assertThat(out).as(user + " in " + file).isNotEmpty();
        return out;
    }

    private List<Served> mailwright(Pop3Server server, String user) throws Exception {
        POP3Client client = new POP3Client();
        client.connect("127.0.0.1", server.port());
        try {
            assertThat(client.login(user, PASSWORD)).as(client.getReplyString()).isTrue();
            List<Served> out = new ArrayList<>();
            for (POP3MessageInfo info : client.listUniqueIdentifiers()) {
                byte[] content;
                try (Reader r = client.retrieveMessage(info.number)) {
                    StringBuilder sb = new StringBuilder();
                    char[] buf = new char[8192];
                    int n;
                    while ((n = r.read(buf)) > 0) {
                        sb.append(buf, 0, n);
                    }
                    content = sb.toString().getBytes(ISO_8859_1);
                }
                out.add(new Served(info.number, info.identifier, content.length,
                        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content))));
            }
            assertThat(client.logout()).isTrue();
            return out;
        } finally {
            client.disconnect();
        }
    }

    private Pop3Server pop3() {
        return Pop3Server.builder().store(store).settings(s -> s.plaintextWithoutTls(true))
                .authThrottle(AuthThrottle.disabled()).start();
    }

    private Result importOk(String... args) {
        Result r = run(args);
        assertThat(r.exit()).as(r.err()).isZero();
        return r;
    }

    @Test
    void maildirsImportedWithDefaultsServeDovecotsUidlsAndIdenticalMessages() throws Exception {
        user("ann@example.org");
        user("dave@example.org");
        importOk("import", "maildir", "--user", "ann@example.org", fixture.resolve("store/ann/Maildir").toString());
        importOk("import", "maildir", "--user", "dave@example.org", fixture.resolve("store/dave/Maildir").toString());
        try (Pop3Server server = pop3()) {
            assertThat(mailwright(server, "ann@example.org")).isEqualTo(dovecot("served-default.tsv", "ann@example.org"));
            assertThat(mailwright(server, "dave@example.org")).isEqualTo(dovecot("served-default.tsv", "dave@example.org"));
        }
    }

    @Test
    void dovecotMboxesImportedWithDefaultsServeDovecotsUidlsAndIdenticalMessages() throws Exception {
        user("bob@example.org");
        user("carol@example.org");
        importOk("import", "mbox", "--user", "bob@example.org", fixture.resolve("store/bob/mbox").toString());
        importOk("import", "mbox", "--user", "carol@example.org", fixture.resolve("store/carol/mbox").toString());
        try (Pop3Server server = pop3()) {
            assertThat(mailwright(server, "bob@example.org")).isEqualTo(dovecot("served-default.tsv", "bob@example.org"));
            assertThat(mailwright(server, "carol@example.org")).isEqualTo(dovecot("served-default.tsv", "carol@example.org"));
        }
    }

    @Test
    void reuseXuidlServesWhatDovecotServedWithPop3ReuseXuidl() throws Exception {
        user("bob@example.org");
        user("carol@example.org");
        importOk("import", "mbox", "--reuse-xuidl", "--user", "bob@example.org", fixture.resolve("store/bob/mbox").toString());
        importOk("import", "mbox", "--reuse-xuidl", "--user", "carol@example.org",
                fixture.resolve("store/carol/mbox").toString());
        try (Pop3Server server = pop3()) {
            assertThat(mailwright(server, "bob@example.org")).isEqualTo(dovecot("served-reuse-xuidl.tsv", "bob@example.org"));
            assertThat(mailwright(server, "carol@example.org"))
                    .isEqualTo(dovecot("served-reuse-xuidl.tsv", "carol@example.org"));
        }
    }

    @Test
    void reimportingTheFixtureAddsNothing() throws Exception {
        user("ann@example.org");
        user("bob@example.org");
        String maildir = fixture.resolve("store/ann/Maildir").toString();
        String mbox = fixture.resolve("store/bob/mbox").toString();
        importOk("import", "maildir", "--user", "ann@example.org", maildir);
        importOk("import", "mbox", "--user", "bob@example.org", mbox);
        assertThat(importOk("import", "maildir", "--user", "ann@example.org", maildir).out())
                .startsWith("imported 0 message(s), 0 octets, into ann@example.org; skipped 12 already there");
        assertThat(importOk("import", "mbox", "--user", "bob@example.org", mbox).out())
                .startsWith("imported 0 message(s), 0 octets, into bob@example.org; skipped 9 already there");
        try (Pop3Server server = pop3()) {
            assertThat(mailwright(server, "ann@example.org")).isEqualTo(dovecot("served-default.tsv", "ann@example.org"));
            assertThat(mailwright(server, "bob@example.org")).isEqualTo(dovecot("served-default.tsv", "bob@example.org"));
        }
    }

    @Test
    void reimportingWithAnotherUidlFormatRemapsTheUidlsInsteadOfAddingDuplicates() throws Exception {
        user("ann@example.org");
        user("bob@example.org");
        String maildir = fixture.resolve("store/ann/Maildir").toString();
        String mbox = fixture.resolve("store/bob/mbox").toString();
        // first with upper-case hex (what an earlier Mailwright gave), then with Dovecot's default
        importOk("import", "maildir", "--uidl-format", "%08XUu%08XUv", "--user", "ann@example.org", maildir);
        importOk("import", "mbox", "--uidl-format", "%08XUu%08XUv", "--user", "bob@example.org", mbox);
        long annId = store.accounts().get(dev.mailwright.store.Address.parse("ann@example.org")).orElseThrow().id();
        List<dev.mailwright.store.MessageInfo> annBefore = store.mailboxes().list(annId);
        assertThat(annBefore).extracting(dev.mailwright.store.MessageInfo::uidl).anyMatch(u -> u.matches(".*[A-F].*"));

        Result ann = importOk("import", "maildir", "--user", "ann@example.org", maildir);
        Result bob = importOk("import", "mbox", "--user", "bob@example.org", mbox);
        // ann: 6 messages have P fields (the same UIDL whatever the format), 6 change
        assertThat(ann.out()).startsWith("imported 0 message(s), 0 octets, into ann@example.org; skipped 6 already there;"
                + " gave 6 already there their new UIDLs;");
        assertThat(bob.out()).startsWith("imported 0 message(s), 0 octets, into bob@example.org; skipped ");
        assertThat(bob.out()).contains(" already there their new UIDLs;");
        try (Pop3Server server = pop3()) {
            assertThat(mailwright(server, "ann@example.org")).isEqualTo(dovecot("served-default.tsv", "ann@example.org"));
            assertThat(mailwright(server, "bob@example.org")).isEqualTo(dovecot("served-default.tsv", "bob@example.org"));
        }
        // the same UIDs: the messages were re-mapped, not stored again
        assertThat(store.mailboxes().list(annId)).extracting(dev.mailwright.store.MessageInfo::uid)
                .isEqualTo(annBefore.stream().map(dev.mailwright.store.MessageInfo::uid).toList());
        // and a third run finds everything in place
        assertThat(importOk("import", "maildir", "--user", "ann@example.org", maildir).out())
                .startsWith("imported 0 message(s), 0 octets, into ann@example.org; skipped 12 already there; ");
    }

    @Test
    void passwdFileUsersLogInWithTheirOldPasswordsWhateverTheirScheme() throws Exception {
        store.domains().add("example.org");
        Path passwd = fixture.resolve("passwd");
        Result r = importOk("import", "passwd-file", "--domain", "example.org", passwd.toString());
        // SCRAM-SHA-256 (mia), SCRAM-SHA-1 (paul), CRAM-MD5 (noah) and PLAIN-MD5 (quin) hashes verify
        // plain passwords too: every scheme doveadm pw made for the fixture is supported
        List<String> unsupported = List.of();
        for (String line : Files.readAllLines(fixture.resolve("logins.tsv"), UTF_8)) {
            String[] f = line.split("\t");
            String user = f[0].contains("@") ? f[0] : f[0] + "@example.org";
            boolean dovecotAccepted = f[3].equals("accepted");
            var account = store.accounts().get(dev.mailwright.store.Address.parse(user));
            if (unsupported.contains(user)) {
                assertThat(account).as(user).isEmpty();
                assertThat(r.err()).contains("not imported: " + passwd + ": line ").contains(": " + user + ": {" + f[2]
                        + "} is not a supported password scheme");
                continue;
            }
            assertThat(account).as(user).isPresent();
            boolean weAccept = store.accounts().authenticate(user, f[1].toCharArray()).isPresent();
            if (user.equals("uma@example.org")) {
                // Dovecot refused her from 127.0.0.1 by allow_nets: we cannot restrict by network, and say so
                assertThat(weAccept).isTrue();
                assertThat(r.err()).contains(": uma@example.org: allow_nets=192.0.2.0/24 not carried over");
            } else {
                assertThat(weAccept).as(user + " (" + f[2] + ")").isEqualTo(dovecotAccepted);
            }
        }
        assertThat(store.accounts().get(dev.mailwright.store.Address.parse("tina@example.org")).orElseThrow().enabled())
                .isFalse();
        assertThat(r.err()).contains(": tina@example.org: nologin: imported disabled (reason: moved)");
        assertThat(store.accounts().get(dev.mailwright.store.Address.parse("vera@example.org")).orElseThrow().quota())
                .isEqualTo(new dev.mailwright.store.Quota(100L * 1024 * 1024, 0));
        assertThat(r.err()).contains(": bob@example.org: userdb_mail=mbox:~/mail:INBOX=~/mbox ignored");
        assertThat(r.out()).isEqualTo("imported 22 user(s) from " + passwd + " (1 disabled: nologin)\n");
    }
}
