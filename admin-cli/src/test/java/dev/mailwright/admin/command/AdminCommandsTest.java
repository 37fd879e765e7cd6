package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.admin.TestContext;
import dev.mailwright.store.StoreUnavailableException;
import org.junit.jupiter.api.Test;

class AdminCommandsTest extends CommandTest {

    @Test
    void unreachableDatabaseIsAnEnvironmentErrorOnOneLine() {
        context = new TestContext(() -> {
            throw new StoreUnavailableException("connection refused to localhost:5432",
                    new java.net.ConnectException("refused"));
        });
        Result r = run("domain", "list");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: database unavailable: connection refused to localhost:5432\n");
    }

    @Test
    void unexpectedFailureIsAnEnvironmentErrorWithoutStackTrace() {
        context = new TestContext(() -> {
            throw new IllegalStateException("pool exploded");
        });
        Result r = run("user", "list");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: cannot open the store: pool exploded\n");
    }

    @Test
    void unknownCommandIsAUserError() {
        Result r = run("frobnicate");
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).startsWith("error: Unmatched argument").hasLineCount(1);
        assertThat(run().exit()).isEqualTo(1);
    }

    @Test
    void helpListsEveryCommandGroupAndExitsZero() {
        Result r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("domain", "user", "alias", "quota", "mailbox", "queue", "import", "export", "db",
                "check", "completion");
        assertThat(run("user", "add", "--help").out()).contains("--password-stdin", "--password-file");
    }

    @Test
    void completionScriptCoversTheCommandTree() {
        Result r = run("completion");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).startsWith("#!/usr/bin/env bash").contains("complete -F").contains("apop-secret")
                .contains("--password-stdin");
    }
}
