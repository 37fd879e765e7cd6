package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.store.Account;
import dev.mailwright.store.Maildrop;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MailboxCommandTest extends CommandTest {

    private static final String PLAIN = "From: =?ISO-8859-1?Q?Andr=E9?= <andre@remote.test>\r\n"
            + "Subject: =?UTF-8?B?R3LDvMOfZQ==?= aus =?UTF-8?Q?K=C3=B6ln?=\r\n"
            + "Date: Tue, 03 Mar 2026 10:00:00 +0100\r\n"
            + "\r\n"
            + "Hallo.\r\n";

    private static final String MULTIPART = "From: Ann <ann@remote.test>\r\n"
            + "Subject: report\r\n"
            + "Date: Wed, 04 Mar 2026 10:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
            + "\r\n"
            + "--b1\r\n"
            + "Content-Type: text/plain; charset=iso-8859-1\r\n"
            + "Content-Transfer-Encoding: quoted-printable\r\n"
            + "\r\n"
            + "Gr=FC=DFe, the report is attached.\r\n"
            + "--b1\r\n"
            + "Content-Type: text/html; charset=utf-8\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + "PHA+R3LDvMOfZTwvcD4=\r\n"
            + "--b1\r\n"
            + "Content-Type: application/pdf; name=\"=?UTF-8?Q?Bericht_M=C3=A4rz.pdf?=\"\r\n"
            + "Content-Disposition: attachment; filename=\"=?UTF-8?Q?Bericht_M=C3=A4rz.pdf?=\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + "JVBERi0xLjQK\r\n"
            + "--b1--\r\n";

    private Account ann;
    private Instant now;

    @BeforeEach
    void twoMessages() {
        ann = user("ann@example.org");
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        deliver(ann, PLAIN, now.minus(Duration.ofDays(40)));
        deliver(ann, MULTIPART, now.minus(Duration.ofDays(1)));
    }

    @Test
    void listDecodesSendersAndSubjects() {
        Result r = run("mailbox", "list", "ann@example.org");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("André <andre@remote.test>").contains("Grüße aus Köln").contains("report");
        JsonNode json = run("mailbox", "list", "ann@example.org", "--json").json();
        assertThat(json).hasSize(2);
        assertThat(json.get(0).fieldNames()).toIterable()
                .containsExactly("number", "uid", "uidl", "size", "received", "date", "from", "subject");
        assertThat(json.get(0).get("number").asInt()).isEqualTo(1);
        assertThat(json.get(0).get("subject").asText()).isEqualTo("Grüße aus Köln");
        assertThat(json.get(0).get("date").asText()).isEqualTo("2026-03-03T09:00:00Z");
        assertThat(json.get(0).get("size").asLong()).isEqualTo(PLAIN.length());
    }

    @Test
    void showDecodesTextPartsAndListsAttachments() {
        Result r = run("mailbox", "show", "ann@example.org", "2");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Subject: report")
                .contains("--- text/plain; charset=iso-8859-1\nGrüße, the report is attached.")
                .contains("<p>Grüße</p>")
                .contains("Bericht März.pdf  application/pdf  9 B");
        JsonNode json = run("mailbox", "show", "ann@example.org", "2", "--json").json();
        assertThat(json.fieldNames()).toIterable()
                .containsExactly("number", "uid", "uidl", "size", "received", "headers", "text_parts", "attachments");
        assertThat(json.get("text_parts")).hasSize(2);
        assertThat(json.get("text_parts").get(0).get("text").asText()).startsWith("Grüße, the report");
        assertThat(json.get("attachments").get(0).get("name").asText()).isEqualTo("Bericht März.pdf");
        assertThat(json.get("attachments").get(0).get("size").asLong()).isEqualTo(9);
        assertThat(json.get("headers").get(1).get("value").asText()).isEqualTo("report");
    }

    @Test
    void showOfAMissingNumberIsAUserError() {
        Result r = run("mailbox", "show", "ann@example.org", "3");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no message 3 in ann@example.org (it has 2)\n");
    }

    @Test
    void purgeDeletesOnlyOlderMessages() {
        Result dry = run("mailbox", "purge", "ann@example.org", "--older-than", "30d", "--dry-run");
        assertThat(dry.out()).startsWith("would purge 1 message(s)");
        assertThat(store.mailboxes().list(ann.id())).hasSize(2);
        Result r = run("mailbox", "purge", "ann@example.org", "--older-than", "30d");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("purged 1 message(s), " + PLAIN.length() + " B");
        assertThat(store.mailboxes().list(ann.id())).hasSize(1);
        assertThat(store.accounts().get(ann.id()).orElseThrow().usage().messages()).isEqualTo(1);
    }

    @Test
    void purgeWhileAPop3SessionHoldsTheMailboxIsAnEnvironmentErrorAndDeletesNothing() {
        try (Maildrop held = store.maildrops().open(ann.id(), "pop3 session 7", Duration.ofMinutes(5))) {
            Result r = run("mailbox", "purge", "ann@example.org", "--older-than", "1d");
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).contains("maildrop in use").contains("try again").hasLineCount(1);
            // reading still works while the session holds it
            assertThat(run("mailbox", "list", "ann@example.org").exit()).isZero();
        }
        assertThat(store.mailboxes().list(ann.id())).hasSize(2);
    }

    @Test
    void purgeNeedsAWellFormedAge() {
        assertThat(run("mailbox", "purge", "ann@example.org").err()).startsWith("error: Missing required option: '--older-than");
        assertThat(run("mailbox", "purge", "ann@example.org", "--older-than", "soon").err())
                .isEqualTo("error: malformed age: soon (examples: 30d, 12h, 2w, P30D)\n");
    }

    @Test
    void statsOfOneMailboxAndOfAll() {
        JsonNode one = run("mailbox", "stats", "ann@example.org", "--json").json();
        assertThat(one.get("messages").asInt()).isEqualTo(2);
        assertThat(one.get("bytes").asLong()).isEqualTo(PLAIN.length() + MULTIPART.length());
        assertThat(one.get("oldest").asText()).isEqualTo(now.minus(Duration.ofDays(40)).toString());
        user("bob@example.org");
        JsonNode all = run("mailbox", "stats", "--json").json();
        assertThat(all.get("mailboxes").asInt()).isEqualTo(2);
        assertThat(all.get("messages").asInt()).isEqualTo(2);
        assertThat(all.get("per_mailbox")).hasSize(2);
        assertThat(run("mailbox", "stats").out()).contains("total: 2 mailbox(es), 2 message(s)");
    }

    @Test
    void statsAsJsonHaveStableFieldNames() {
        JsonNode one = run("mailbox", "stats", "ann@example.org", "--json").json();
        assertThat(one.fieldNames()).toIterable().containsExactly("address", "messages", "bytes", "largest", "average",
                "oldest", "newest", "quota_bytes", "quota_messages", "quota_used_percent");
        JsonNode all = run("mailbox", "stats", "--json").json();
        assertThat(all.fieldNames()).toIterable().containsExactly("mailboxes", "messages", "bytes", "per_mailbox");
        assertThat(all.get("per_mailbox").get(0).fieldNames()).toIterable()
                .containsExactly("address", "messages", "bytes", "quota_used_percent");
    }

    @Test
    void showOfNumberZeroIsAUserError() {
        Result r = run("mailbox", "show", "ann@example.org", "0");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).hasLineCount(1).startsWith("error: ");
    }

    @Test
    void deleteRemovesSingleMessagesByUidl() {
        var messages = store.mailboxes().list(ann.id());
        Result r = run("mailbox", "delete", "ann@example.org", messages.get(1).uidl(), "--bytes");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("deleted 1 message(s), " + messages.get(1).size() + ", from ann@example.org\n");
        assertThat(store.mailboxes().list(ann.id())).containsExactly(messages.get(0));
        assertThat(store.accounts().get(ann.id()).orElseThrow().usage().messages()).isEqualTo(1);
    }

    @Test
    void deleteOfAnUnknownUidlDeletesNothing() {
        String known = store.mailboxes().list(ann.id()).get(0).uidl();
        Result r = run("mailbox", "delete", "ann@example.org", known, "no-such-uidl");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: no message with UIDL no-such-uidl in ann@example.org; nothing deleted\n");
        assertThat(store.mailboxes().list(ann.id())).hasSize(2);
    }

    @Test
    void deleteWhileAPop3SessionHoldsTheMailboxIsRefusedAndDeletesNothing() {
        String uidl = store.mailboxes().list(ann.id()).get(0).uidl();
        try (Maildrop held = store.maildrops().open(ann.id(), "mx1/4f2a", Duration.ofMinutes(5))) {
            Result r = run("mailbox", "delete", "ann@example.org", uidl);
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("error: ann@example.org is open in a POP3 session (maildrop in use by mx1/4f2a);"
                    + " nothing deleted: try again when it ends, or end it with 'kick'\n");
        }
        assertThat(store.mailboxes().list(ann.id())).hasSize(2);
        assertThat(run("mailbox", "delete", "ann@example.org", uidl).exit()).isZero();
    }

    @Test
    void listPagesWithLimitAndOffsetNumberingAsPop3Does() {
        var messages = store.mailboxes().list(ann.id());
        JsonNode second = run("mailbox", "list", "ann@example.org", "--offset", "1", "--limit", "5", "--json").json();
        assertThat(second).hasSize(1);
        assertThat(second.get(0).get("number").asLong()).isEqualTo(2);
        assertThat(second.get(0).get("uidl").asText()).isEqualTo(messages.get(1).uidl());
        JsonNode first = run("mailbox", "list", "ann@example.org", "--limit", "1", "--json").json();
        assertThat(first).hasSize(1);
        assertThat(first.get(0).get("uidl").asText()).isEqualTo(messages.get(0).uidl());
        assertThat(run("mailbox", "list", "ann@example.org", "--offset", "2", "--json").json()).isEmpty();
        Result negative = run("mailbox", "list", "ann@example.org", "--limit", "-1");
        assertThat(negative.exit()).isEqualTo(1);
        assertThat(negative.err()).isEqualTo("error: --limit and --offset must not be negative\n");
    }

    @Test
    void tablesShowHumanSizesAndBytesGivesOctetsWhileJsonIsAlwaysOctets() {
        sql("UPDATE mailbox_entries SET size = 12_595 WHERE uid = (SELECT min(uid) FROM mailbox_entries)");
        sql("UPDATE accounts SET bytes = 4_718_592, quota_bytes = 1_073_741_824");
        assertThat(run("mailbox", "list", "ann@example.org").out()).contains("  12.3 KiB  ");
        assertThat(run("mailbox", "list", "ann@example.org", "--bytes").out()).contains("  12595  ");
        assertThat(run("mailbox", "list", "ann@example.org", "--json").json().get(0).get("size").asLong()).isEqualTo(12_595);
        assertThat(run("user", "show", "ann@example.org").out()).containsPattern("\nbytes: +4\\.5 MiB\n")
                .containsPattern("\nquota_bytes: +1\\.0 GiB\n");
        assertThat(run("user", "list", "--bytes").out()).contains("4718592").contains("1073741824");
        assertThat(run("quota", "show", "ann@example.org").out()).contains("4.5 MiB");
        assertThat(run("quota", "show", "ann@example.org", "--json").json().get("bytes").asLong()).isEqualTo(4_718_592);
        assertThat(run("mailbox", "stats").out()).contains("4.5 MiB");
    }

    /**
     * A mailbox of 100,000 messages (rows written by SQL, sharing one stored content): the last page
     * comes back right, read with LIMIT and OFFSET. The time it takes is printed, not asserted
     * (docs/admin-cli.md has the measurement).
     */
    @Test
    void lastPageOfAHundredThousandMessages() {
        long message = deliver(ann, "Subject: many\r\n\r\nx\r\n", now).messageId();
        sql("INSERT INTO mailbox_entries (account_id, uid, uidl, message_id, size, received)"
                + " SELECT " + ann.id() + ", 1000 + g, 'bulk-' || g, " + message + ", 20, now() FROM generate_series(1, 100000) g");
        sql("UPDATE messages SET refs = refs + 100000 WHERE id = " + message);
        sql("ANALYZE mailbox_entries");
        long t0 = System.nanoTime();
        Result r = run("mailbox", "list", "ann@example.org", "--offset", "99990", "--limit", "20", "--json");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("mailbox list --offset 99990 --limit 20 over 100,003 messages: " + ms + " ms");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode page = r.json();
        assertThat(page).hasSize(13);
        assertThat(page.get(0).get("number").asLong()).isEqualTo(99_991);
        assertThat(page.get(12).get("uidl").asText()).isEqualTo("bulk-100000");
    }
}
