package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code db dump FILE} and {@code db restore FILE} as an administrator runs them. */
class BackupCommandTest {

    @TempDir
    Path dir;

    @Test
    void dumpWipeRestoreGivesBackTheSameMailboxWithTheSameUidls() throws Exception {
        Map<String, String> env = new HashMap<>(ServerTestSupport.env(dir.resolve("home"), TestDatabases.fresh()));
        assertThat(run(env, null, "domain", "add", "example.org").exit()).isZero();
        assertThat(run(env, "alice-secret-1\n", "user", "add", "alice@example.org", "--password-stdin").exit()).isZero();
        Path mbox = Files.writeString(dir.resolve("in.mbox"), "From bob@example.org Mon Jan  5 10:11:12 2026\n"
                + "X-UIDL: old-0001\nSubject: one\n\nfirst\n\nFrom bob@example.org Tue Jan  6 10:11:12 2026\n"
                + "Subject: two\n\nsecond\n");
        assertThat(run(env, null, "import", "mbox", "--user", "alice@example.org", mbox.toString()).exit()).isZero();
        Result listed = run(env, null, "mailbox", "list", "alice@example.org", "--json");
        List<String> uidls = uidls(listed.out());
        assertThat(uidls).hasSize(2).contains("old-0001");

        Path dump = dir.resolve("backup.dump");
        Result dumped = run(env, null, "db", "dump", dump.toString());
        assertThat(dumped.exit()).as(dumped.err()).isZero();
        assertThat(dumped.out()).startsWith("dumped ").contains("schema version").endsWith("to " + dump + "\n");
        assertThat(run(env, null, "db", "dump", dump.toString()).err()).isEqualTo("error: " + dump + " exists; not overwritten\n");

        // the machine is lost: a new, empty database
        TestDatabases.TestDatabase wiped = TestDatabases.empty();
        env.put("MAILWRIGHT_DATABASE_URL", wiped.jdbcUrl());
        Result restored = run(env, null, "db", "restore", dump.toString());
        assertThat(restored.exit()).as(restored.err()).isZero();
        assertThat(restored.out()).startsWith("restored ");
        assertThat(uidls(run(env, null, "mailbox", "list", "alice@example.org", "--json").out())).isEqualTo(uidls);
        Result shown = run(env, null, "mailbox", "show", "alice@example.org", "2");
        assertThat(shown.out()).contains("second");

        Result again = run(env, null, "db", "restore", dump.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already holds Mailwright data").contains("--replace");
        assertThat(run(env, null, "db", "restore", "--replace", dump.toString()).exit()).isZero();
    }

    private static List<String> uidls(String json) throws Exception {
        List<String> uidls = new ArrayList<>();
        for (JsonNode m : new ObjectMapper().readTree(json)) {
            uidls.add(m.get("uidl").asText());
        }
        return uidls;
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result run(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8),
                new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(UTF_8)), env);
        return new Result(exit, out.toString(UTF_8), err.toString(UTF_8));
    }
}
