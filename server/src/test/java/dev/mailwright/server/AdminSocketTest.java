package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Store commands run inside the running server through its admin socket. */
@Timeout(120)
class AdminSocketTest {

    @TempDir
    Path dataDir;

    private record Result(int exit, String out, String err) {
    }

    private static Result run(Path socket, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream in = new ByteArrayInputStream(stdin.getBytes(UTF_8));
        int exit = AdminClient.run(socket, List.of(args), in, new PrintStream(out, true, UTF_8),
                new PrintStream(err, true, UTF_8), false);
        return new Result(exit, out.toString(UTF_8), err.toString(UTF_8));
    }

    @Test
    void storeCommandsRunInTheServerAndOthersComeBack() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Path socket = AdminProtocol.socket(dataDir);
        try (MailwrightServer server = MailwrightServer.start(ServerTestSupport.config(dataDir, db))) {
            assertThat(Files.getPosixFilePermissions(socket.getParent()))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));
            assertThat(run(socket, "", "domain", "add", "example.org").exit()).isZero();
            Result added = run(socket, "ann-password-1\n", "user", "add", "ann@example.org", "--password-stdin");
            assertThat(added.exit()).as(added.err()).isZero();
            assertThat(server.store().accounts().authenticate("ann@example.org", "ann-password-1".toCharArray()))
                    .isPresent();
            Result list = run(socket, "", "user", "list", "--json");
            assertThat(list.exit()).isZero();
            assertThat(list.out()).contains("\"ann@example.org\"");
            Result mistake = run(socket, "", "user", "show", "nobody@example.org");
            assertThat(mistake.exit()).isNotZero();
            assertThat(mistake.err()).contains("nobody@example.org");
            // what must run in a process of its own comes back to the launcher
            assertThat(run(socket, "", "import", "mbox", "--user", "ann@example.org", "x.mbox").exit())
                    .isEqualTo(AdminProtocol.RUN_LOCALLY);
            assertThat(run(socket, "", "user", "passwd", "ann@example.org", "--password-file", "pw").exit())
                    .isEqualTo(AdminProtocol.RUN_LOCALLY);
            assertThat(AdminClient.run(socket, List.of("user", "add", "bob@example.org"), InputStream.nullInputStream(),
                    System.out, System.err, true)).as("a password asked on this terminal").isEqualTo(AdminProtocol.RUN_LOCALLY);
        }
        assertThat(socket).doesNotExist();
        assertThat(run(socket, "", "user", "list").exit()).as("no server").isEqualTo(AdminProtocol.RUN_LOCALLY);
    }
}
