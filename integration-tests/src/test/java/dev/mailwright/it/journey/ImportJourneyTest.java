package dev.mailwright.it.journey;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.server.MailwrightServer;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Moving to Mailwright from Dovecot, seen from a POP3 client: a Maildir of 1 000 messages and a
 * passwd-file are imported with the admin commands of a running server, and a real client
 * (Commons Net over STLS) then gets every message byte for byte, under the UIDLs it knew, and
 * logs in with the old passwords of every supported scheme.
 */
@Timeout(300)
class ImportJourneyTest {

    private static final int COUNT = 1000;

    @TempDir
    static Path dir;

    private static Map<String, String> env;
    private static MailwrightServer server;
    private static Map<String, Integer> ports;

    @BeforeAll
    static void start() {
        env = TestServers.env(dir.resolve("data"), TestDatabases.fresh());
        server = TestServers.start(env);
        ports = server.ports();
        admin(env, null, "domain", "add", "example.org");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Message {@code i}: dot lines, 8-bit octets, a raw UTF-8 header and an encoded one; LF line ends as in a Maildir. */
    private static byte[] message(int i) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(("From: Jürgen Müller <jm@example.net>\n"
                + "To: ann@example.org\n"
                + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_Nr=2E_" + i + "?=\n"
                + "Date: Mon, 1 Jan 2024 10:00:00 +0000\n"
                + "Content-Type: text/plain; charset=ISO-8859-1\n"
                + "Content-Transfer-Encoding: 8bit\n"
                + "\n"
                + ".a line that starts with a dot\n"
                + "..and one with two\n"
                + ".\n"
                + "message " + i + "\n").getBytes(UTF_8));
        m.writeBytes(new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'}); // "café" in ISO-8859-1: one 8-bit octet
        m.writeBytes(("x".repeat(i % 300) + "\n").getBytes(UTF_8));
        return m.toByteArray();
    }

    /** What POP3 sends for a stored message once dot-stuffing is undone: every line ending in CRLF. */
    private static String wireForm(byte[] stored) {
        return new String(stored, ISO_8859_1).replace("\n", "\r\n");
    }

    @Test
    void anImportedMaildirIsServedOverPop3ByteForByteUnderItsOldUidls() throws Exception {
        addUser(env, "ann@example.org", "ann-password-1");
        Path maildir = dir.resolve("Maildir");
        Files.createDirectories(maildir.resolve("cur"));
        Files.createDirectories(maildir.resolve("new"));
        Files.createDirectories(maildir.resolve("tmp"));
        StringBuilder uidlist = new StringBuilder("3 V1700000000 N" + (COUNT + 1) + "\n");
        List<byte[]> messages = new ArrayList<>();
        for (int i = 1; i <= COUNT; i++) {
            String base = (1_700_000_000L + i) + ".M" + i + "P1.oldhost";
            byte[] content = message(i);
            messages.add(content);
            Files.write(maildir.resolve("cur").resolve(base + ":2,S"), content);
            // the UIDL the old server gave this message (Dovecot's P extension)
            uidlist.append(i).append(" Pold-").append(i).append(" :").append(base).append('\n');
        }
        Files.writeString(maildir.resolve("dovecot-uidlist"), uidlist.toString());

        assertThat(admin(env, null, "import", "maildir", "--user", "ann@example.org", maildir.toString()))
                .startsWith("imported " + COUNT + " message(s)");

        POP3Client pop3 = MailClients.pop3Login(Pop3Way.STLS, ports, "ann@example.org", "ann-password-1");
        try {
            POP3MessageInfo[] uidls = pop3.listUniqueIdentifiers();
            assertThat(uidls).hasSize(COUNT);
            POP3MessageInfo[] sizes = pop3.listMessages();
            for (int i = 1; i <= COUNT; i++) {
                String expected = wireForm(messages.get(i - 1));
                assertThat(uidls[i - 1].identifier).as("UIDL of message %d", i).isEqualTo("old-" + i);
                assertThat(sizes[i - 1].size).as("LIST size of message %d", i).isEqualTo(expected.length());
                String got = MailClients.readAll(pop3.retrieveMessage(i));
                assertThat(got).as("message %d over POP3", i).isEqualTo(expected);
            }
        } finally {
            pop3.logout();
            pop3.disconnect();
        }

        // importing again adds nothing: a client that already has them downloads nothing twice
        assertThat(admin(env, null, "import", "maildir", "--user", "ann@example.org", maildir.toString()))
                .startsWith("imported 0 message(s)");
    }

    @Test
    void usersOfAPasswdFileLogInOverPop3WithTheirOldPasswordsOfEveryScheme() throws Exception {
        // {scheme user, password, hash as a Dovecot passwd-file holds it}
        String[][] users = {
            {"argon2id", "pw-argon2", "{ARGON2ID}$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzYWx0$u9WAzl57GCj+K1pljL8opFQQ64O9bNjj9L87RjZFfY4"},
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
        StringBuilder file = new StringBuilder("# exported from dovecot\n");
        for (String[] u : users) {
            file.append(u[0]).append(':').append(u[2]).append(":1000:1000::/home/").append(u[0]).append("::\n");
        }
        Path passwd = Files.writeString(dir.resolve("passwd"), file.toString());
        assertThat(admin(env, null, "import", "passwd-file", "--domain", "example.org", passwd.toString()))
                .isEqualTo("imported " + users.length + " user(s) from " + passwd + "\n");

        // a wrong password is refused (twice only: failures from one address slow down its later logins)
        assertThat(loginWorks("argon2id@example.org", "pw-argon2x")).isFalse();
        assertThat(loginWorks("sha512crypt@example.org", "pw-sha512x")).isFalse();
        for (String[] u : users) {
            String address = u[0] + "@example.org";
            assertThat(loginWorks(address, u[1])).as(address).isTrue();
            // the first login stored a hash of the default scheme: the same password still works
            assertThat(loginWorks(address, u[1])).as(address + " after the rehash").isTrue();
        }
    }

    private static boolean loginWorks(String user, String password) throws IOException {
        try {
            POP3Client c = MailClients.pop3Login(Pop3Way.STLS, ports, user, password);
            c.logout();
            c.disconnect();
            return true;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("POP3 login as")) {
                return false;
            }
            throw e;
        }
    }
}
