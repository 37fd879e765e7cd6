package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserCommandTest extends CommandTest {

    @TempDir
    Path tmp;

    private boolean canLogIn(String user, String password) {
        return store.accounts().authenticate(user, password.toCharArray()).isPresent();
    }

    @Test
    void userAddedWithPasswordFromStdinCanLogIn() {
        store.domains().add("example.org");
        Result r = runWithInput("correct horse battery\n", "user", "add", "Ann@example.org", "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("added user Ann@example.org\n");
        assertThat(canLogIn("ann@example.org", "correct horse battery")).isTrue();
    }

    @Test
    void passwordFileGivesItsFirstLineWithoutTheLineEnd() throws Exception {
        store.domains().add("example.org");
        Path file = tmp.resolve("pw");
        Files.writeString(file, "pässwörd-from-file\r\nsecond line ignored\n", StandardCharsets.UTF_8);
        Result r = run("user", "add", "ann@example.org", "--password-file", file.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(canLogIn("ann@example.org", "pässwörd-from-file")).isTrue();
    }

    @Test
    void interactivePasswordIsAskedTwice() {
        store.domains().add("example.org");
        promptAnswers.add("typed-twice-password");
        promptAnswers.add("typed-twice-password");
        Result r = run("user", "add", "ann@example.org");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(canLogIn("ann@example.org", "typed-twice-password")).isTrue();
    }

    @Test
    void differentInteractiveEntriesCreateNothing() {
        store.domains().add("example.org");
        promptAnswers.add("typed-twice-password");
        promptAnswers.add("typed-twice-passwore");
        Result r = run("user", "add", "ann@example.org");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: the two entries differ; nothing changed\n");
        assertThat(store.accounts().get(Address.parse("ann@example.org"))).isEmpty();
    }

    @Test
    void withoutTerminalOrPasswordOptionTheUserIsToldWhatToUse() {
        store.domains().add("example.org");
        Result r = run("user", "add", "ann@example.org");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("--password-stdin or --password-file").hasLineCount(1);
    }

    @Test
    void passwordIsNeverAcceptedOnTheCommandLine() {
        store.domains().add("example.org");
        Result r = run("user", "add", "ann@example.org", "--password", "on-the-command-line");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: Unknown option").contains("--password");
        assertThat(store.accounts().get(Address.parse("ann@example.org"))).isEmpty();
    }

    @Test
    void emptyShortRepeatedAndSelfNamedPasswordsAreRefused() {
        store.domains().add("example.org");
        assertThat(runWithInput("\n", "user", "add", "ann@example.org", "--password-stdin").err())
                .isEqualTo("error: empty password refused\n");
        assertThat(runWithInput("short-pw\n", "user", "add", "ann@example.org", "--password-stdin").err())
                .isEqualTo("error: weak password refused: it needs at least 10 characters\n");
        assertThat(runWithInput("aaaaaaaaaaaa\n", "user", "add", "ann@example.org", "--password-stdin").err())
                .contains("one character repeated");
        Result self = runWithInput("ANN@example.org\n", "user", "add", "ann@example.org", "--password-stdin");
        assertThat(self.exit()).isEqualTo(1);
        assertThat(self.err()).contains("the address itself");
        assertThat(store.accounts().list(Optional.empty())).isEmpty();
    }

    @Test
    void unreadablePasswordFileIsAUserError() {
        store.domains().add("example.org");
        Result r = run("user", "add", "ann@example.org", "--password-file", tmp.resolve("missing").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("error: cannot read password file " + tmp.resolve("missing") + ": no such file\n");
    }

    @Test
    void userInUnknownDomainDuplicateAndMalformedAddressAreUserErrors() {
        Result unknownDomain = runWithInput("a-good-long-password\n", "user", "add", "ann@nowhere.test", "--password-stdin");
        assertThat(unknownDomain.exit()).isEqualTo(1);
        assertThat(unknownDomain.err()).startsWith("error: unknown domain: nowhere.test");

        user("bob@example.org");
        Result duplicate = runWithInput("a-good-long-password\n", "user", "add", "BOB@example.org", "--password-stdin");
        assertThat(duplicate.exit()).isEqualTo(1);
        assertThat(duplicate.err()).isEqualTo("error: user exists: BOB@example.org\n");

        Result malformed = run("user", "show", "not-an-address");
        assertThat(malformed.exit()).isEqualTo(1);
        assertThat(malformed.err()).isEqualTo("error: malformed address: no @ in \"not-an-address\"\n");
    }

    @Test
    void listShowsUsersOfOneDomainOrAll() {
        user("ann@example.org");
        user("bob@other.test");
        assertThat(run("user", "list").out()).contains("ann@example.org").contains("bob@other.test");
        Result one = run("user", "list", "other.test", "--json");
        assertThat(one.json()).hasSize(1);
        assertThat(one.json().get(0).fieldNames()).toIterable()
                .containsExactly("address", "enabled", "messages", "bytes", "quota_bytes", "quota_messages", "last_login");
        assertThat(run("user", "list", "nowhere.test").exit()).isEqualTo(1);
    }

    @Test
    void showGivesUsageQuotaLastLoginAndApopState() {
        Account a = user("ann@example.org");
        deliver(a, "Subject: x\r\n\r\nhello\r\n", Instant.now());
        store.accounts().setQuota(a.address(), new dev.mailwright.store.Quota(1000, 0));
        store.accounts().recordLogin(a.id(), Instant.parse("2026-03-04T05:06:07Z"));
        store.accounts().setApopSecret(a.address(), Optional.of("apop-shared-secret"));

        Result text = run("user", "show", "ann@example.org");
        assertThat(text.exit()).isZero();
        assertThat(text.out()).contains("messages:").contains("last_login:         2026-03-04T05:06:07Z")
                .contains("apop_secret_set:    yes").contains("quota_used_percent: 2.1");

        JsonNode json = run("user", "show", "ann@example.org", "--json").json();
        assertThat(json.fieldNames()).toIterable().containsExactly("address", "id", "enabled", "created", "last_login",
                "messages", "bytes", "quota_bytes", "quota_messages", "quota_used_percent", "apop_secret_set",
                "pop3_expire", "pop3_login_delay");
        assertThat(json.get("messages").asLong()).isEqualTo(1);
        assertThat(json.get("bytes").asLong()).isEqualTo(21);
        assertThat(json.get("quota_messages").isNull()).isTrue();
        assertThat(json.get("apop_secret_set").asBoolean()).isTrue();
        assertThat(json.get("last_login").asText()).isEqualTo("2026-03-04T05:06:07Z");
    }

    @Test
    void unknownUserIsAUserError() {
        store.domains().add("example.org");
        for (String cmd : new String[] {"show", "disable", "enable", "remove"}) {
            Result r = run("user", cmd, "ghost@example.org");
            assertThat(r.exit()).as(cmd).isEqualTo(1);
            assertThat(r.err()).as(cmd).isEqualTo("error: no such user: ghost@example.org\n");
        }
    }

    @Test
    void passwdReplacesThePassword() {
        user("ann@example.org");
        Result r = runWithInput("the-new-password\n", "user", "passwd", "ann@example.org", "--password-stdin");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(canLogIn("ann@example.org", "the-new-password")).isTrue();
        assertThat(canLogIn("ann@example.org", "a-good-long-password")).isFalse();
        assertThat(runWithInput("weak\n", "user", "passwd", "ann@example.org", "--password-stdin").exit()).isEqualTo(1);
        assertThat(canLogIn("ann@example.org", "the-new-password")).isTrue();
    }

    @Test
    void disabledUserCannotLogInUntilEnabled() {
        user("ann@example.org");
        assertThat(run("user", "disable", "ann@example.org").out()).isEqualTo("disabled ann@example.org\n");
        assertThat(canLogIn("ann@example.org", "a-good-long-password")).isFalse();
        assertThat(run("user", "enable", "ann@example.org").exit()).isZero();
        assertThat(canLogIn("ann@example.org", "a-good-long-password")).isTrue();
    }

    @Test
    void removedUserTakesTheirMailAlong() {
        Account a = user("ann@example.org");
        deliver(a, "x\r\n", Instant.now());
        Result r = run("user", "remove", "ann@example.org");
        assertThat(r.out()).isEqualTo("removed user ann@example.org and 1 message(s)\n");
        assertThat(store.accounts().get(a.address())).isEmpty();
    }

    @Test
    void apopSecretIsSetAndCleared() {
        user("ann@example.org");
        Result set = runWithInput("apop-shared-secret\n", "user", "apop-secret", "set", "ann@example.org", "--password-stdin");
        assertThat(set.exit()).as(set.err()).isZero();
        assertThat(store.accounts().apopSecret("ann@example.org")).contains("apop-shared-secret");
        assertThat(run("user", "apop-secret", "clear", "ann@example.org").exit()).isZero();
        assertThat(store.accounts().apopSecret("ann@example.org")).isEmpty();
        assertThat(runWithInput("short\n", "user", "apop-secret", "set", "ann@example.org", "--password-stdin").err())
                .startsWith("error: weak APOP secret refused");
    }

    @Test
    void groupWithoutSubcommandNamesTheSubcommands() {
        Result r = run("user");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: missing subcommand: one of").contains("add").contains("apop-secret")
                .hasLineCount(1);
    }
}
