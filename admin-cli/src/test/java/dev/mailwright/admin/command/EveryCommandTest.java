package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.admin.TestContext;
import dev.mailwright.store.StoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The errors every command shares, checked command by command: one line on stderr, the right exit code. */
class EveryCommandTest extends CommandTest {

    private static final String PASSWORD = "a-good-long-password\n";

    @TempDir
    Path tmp;
    private Path mbox;
    private Path maildir;
    private Path passwd;

    @BeforeEach
    void sources() throws Exception {
        mbox = Files.writeString(tmp.resolve("in.mbox"), "From a@b.test Mon Jan  5 10:11:12 2026\nSubject: x\n\nx\n");
        maildir = Files.createDirectories(tmp.resolve("Maildir"));
        Files.createDirectories(maildir.resolve("cur"));
        passwd = Files.writeString(tmp.resolve("passwd"), "new@example.org:{PLAIN}secret-one\n");
    }

    /** Every command that names one user, with {@code ADDRESS} where the user goes. */
    private List<List<String>> commandsNamingAUser() {
        return List.of(
                List.of("user", "show", "ADDRESS"),
                List.of("user", "show", "ADDRESS", "--json"),
                List.of("user", "passwd", "ADDRESS", "--password-stdin"),
                List.of("user", "disable", "ADDRESS"),
                List.of("user", "enable", "ADDRESS"),
                List.of("user", "remove", "ADDRESS"),
                List.of("user", "apop-secret", "set", "ADDRESS", "--password-stdin"),
                List.of("user", "apop-secret", "clear", "ADDRESS"),
                List.of("quota", "set", "ADDRESS", "--messages", "10"),
                List.of("quota", "show", "ADDRESS"),
                List.of("quota", "show", "ADDRESS", "--json"),
                List.of("quota", "recalc", "ADDRESS"),
                List.of("mailbox", "list", "ADDRESS"),
                List.of("mailbox", "list", "ADDRESS", "--json"),
                List.of("mailbox", "show", "ADDRESS", "1"),
                List.of("mailbox", "purge", "ADDRESS", "--older-than", "1d"),
                List.of("mailbox", "stats", "ADDRESS"),
                List.of("mailbox", "stats", "ADDRESS", "--json"),
                List.of("import", "mbox", "--user", "ADDRESS", mbox.toString()),
                List.of("import", "maildir", "--user", "ADDRESS", maildir.toString()),
                List.of("export", "mbox", "--user", "ADDRESS", tmp.resolve("out.mbox").toString()),
                List.of("export", "maildir", "--user", "ADDRESS", tmp.resolve("out-maildir").toString()));
    }

    /** Every command that opens the store. */
    private List<List<String>> commandsUsingTheStore() {
        List<List<String>> all = new ArrayList<>(commandsNamingAUser());
        all.addAll(List.of(
                List.of("domain", "add", "example.net"),
                List.of("domain", "list"),
                List.of("domain", "remove", "example.org"),
                List.of("user", "add", "new@example.org", "--password-stdin"),
                List.of("user", "list"),
                List.of("alias", "add", "team@example.org", "ann@example.org"),
                List.of("alias", "list"),
                List.of("alias", "remove", "team@example.org"),
                List.of("sender", "grant", "billing@example.org", "ann@example.org"),
                List.of("sender", "list"),
                List.of("sender", "revoke", "billing@example.org", "ann@example.org"),
                List.of("quota", "recalc", "--all"),
                List.of("mailbox", "stats"),
                List.of("queue", "list"),
                List.of("queue", "show", "1"),
                List.of("queue", "retry", "1"),
                List.of("queue", "hold", "1"),
                List.of("queue", "release", "1"),
                List.of("queue", "delete", "1"),
                List.of("import", "passwd-file", passwd.toString())));
        return all;
    }

    private static String[] with(List<String> command, String address) {
        return command.stream().map(a -> a.equals("ADDRESS") ? address : a).toArray(String[]::new);
    }

    @Test
    void unreachableDatabaseIsAnEnvironmentErrorOnOneLineForEveryCommand() {
        context = new TestContext(() -> {
            throw new StoreUnavailableException("connection refused to localhost:5432", new java.net.ConnectException());
        });
        for (List<String> command : commandsUsingTheStore()) {
            Result r = runWithInput(PASSWORD, with(command, "ann@example.org"));
            assertThat(r.exit()).as("%s: %s", command, r.err()).isEqualTo(2);
            assertThat(r.err()).as("%s", command).isEqualTo("error: database unavailable: connection refused to localhost:5432\n");
            assertThat(r.out()).as("%s", command).isEmpty();
        }
    }

    @Test
    void unknownUserIsAUserErrorOnOneLineForEveryCommandNamingOne() {
        store.domains().add("example.org");
        for (List<String> command : commandsNamingAUser()) {
            Result r = runWithInput(PASSWORD, with(command, "ghost@example.org"));
            assertThat(r.exit()).as("%s: %s", command, r.err()).isEqualTo(1);
            assertThat(r.err()).as("%s", command).isEqualTo("error: no such user: ghost@example.org\n");
            assertThat(r.out()).as("%s", command).isEmpty();
        }
    }

    @Test
    void malformedAddressIsAUserErrorOnOneLineForEveryCommandNamingOne() {
        for (List<String> command : commandsNamingAUser()) {
            Result r = runWithInput(PASSWORD, with(command, "not an address"));
            assertThat(r.exit()).as("%s: %s", command, r.err()).isEqualTo(1);
            assertThat(r.err()).as("%s", command).startsWith("error: malformed address").hasLineCount(1);
            assertThat(r.out()).as("%s", command).isEmpty();
        }
    }
}
