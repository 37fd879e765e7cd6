package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM flags the {@code mailwright} script chooses: a short-lived tool's for administration
 * commands, the defaults for {@code serve}, and a class data sharing archive of each kind. Runs a
 * copy of the script with a stand-in {@code java} that writes down its arguments (and, asked to
 * record an archive, writes one's first bytes): what the real JVM does with them is
 * integration-tests' LauncherTest.
 */
class LauncherScriptTest {

    private static final String TOOL = "-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=3 -XX:-UsePerfData";
    private static final Path SCRIPT = Path.of("..", "mailwright").toAbsolutePath().normalize();

    @TempDir
    Path dir;
    private Path calls;
    private Path target;

    @BeforeEach
    void copyOfTheLauncher() throws IOException {
        Files.copy(SCRIPT, dir.resolve("mailwright"));
        target = Files.createDirectories(dir.resolve("server/target"));
        Files.writeString(target.resolve("mailwright.jar"), "a jar");
        calls = dir.resolve("calls");
        Path java = dir.resolve("java");
        Files.writeString(java, String.join("\n",
                "#!/usr/bin/env bash",
                "echo \"$*\" >> '" + calls + "'",
                "if [[ \"$*\" == *AdminClient* ]] && [ -f '" + dir.resolve("admin-exit") + "' ]; then",
                "  exit \"$(cat '" + dir.resolve("admin-exit") + "')\"",
                "fi",
                "for a in \"$@\"; do",
                "  case \"$a\" in",
                "    -XX:ArchiveClassesAtExit=*) printf '\\xa8\\xab\\x0b\\xf0 archive' > \"${a#*=}\" ;;",
                "  esac",
                "done",
                ""), UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Runs the script; returns the stand-in java's command lines of this run. */
    private List<String> launch(String javaOpts, String... args) throws Exception {
        List<String> before = Files.exists(calls) ? Files.readAllLines(calls) : List.of();
        List<String> cmd = new ArrayList<>(List.of(dir.resolve("mailwright").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("JAVA", dir.resolve("java").toString());
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("JDK_JAVA_OPTIONS");
        if (javaOpts == null) {
            pb.environment().remove("JAVA_OPTS");
        } else {
            pb.environment().put("JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        List<String> all = Files.readAllLines(calls);
        return all.subList(before.size(), all.size());
    }

    private List<String> archives() throws IOException {
        try (var files = Files.list(target)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.contains(".jsa")).sorted().toList();
        }
    }

    private static String last(List<String> calls) {
        return calls.get(calls.size() - 1);
    }

    @Test
    void anAdminCommandRunsAsAToolAndRecordsItsOwnArchive() throws Exception {
        String first = last(launch(null, "user", "list"));
        assertThat(first).startsWith(TOOL + " -XX:+UseSerialGC ")
                .contains("-XX:ArchiveClassesAtExit=" + target).contains("-command.jsa.").endsWith("-jar "
                        + target.resolve("mailwright.jar") + " user list");
        assertThat(archives()).singleElement().asString().matches("mailwright-\\d+-command\\.jsa\\.\\d+\\.tmp");

        List<String> second = launch(null, "domain", "list");
        assertThat(second).as("the recording checked, then mapped").hasSize(2);
        assertThat(second.get(0)).contains("-Xshare:on").endsWith("-version");
        assertThat(archives()).singleElement().asString().matches("mailwright-\\d+-command\\.jsa");
        assertThat(last(second)).startsWith(TOOL + " -XX:+UseSerialGC ")
                .contains("-XX:SharedArchiveFile=" + target.resolve(archives().get(0)))
                .doesNotContain("ArchiveClassesAtExit");
    }

    @Test
    void serveGetsTheJvmDefaultsAndAnArchiveOfItsOwn() throws Exception {
        launch(null, "user", "list");
        launch(null, "user", "list"); // the command archive in place
        String serve = last(launch(null, "--config", "some.conf", "serve"));
        assertThat(serve).doesNotContain("TieredStopAtLevel").doesNotContain("UseSerialGC")
                .contains("-serve.jsa.").doesNotContain("-command.jsa");
        assertThat(archives()).hasSize(2).anyMatch(n -> n.matches("mailwright-\\d+-command\\.jsa"))
                .anyMatch(n -> n.matches("mailwright-\\d+-serve\\.jsa\\.\\d+\\.tmp"));
    }

    @Test
    void javaOptsComeLastAndACollectorChosenThereReplacesTheSerialOne() throws Exception {
        String line = last(launch("-Xmx64m -XX:+UseParallelGC", "queue", "list"));
        assertThat(line).startsWith(TOOL + " -Xmx64m -XX:+UseParallelGC ").doesNotContain("UseSerialGC");
    }

    @Test
    void helpRecordsNoArchive() throws Exception {
        assertThat(last(launch(null, "--help"))).startsWith(TOOL + " -XX:+UseSerialGC ")
                .doesNotContain("Archive");
        assertThat(archives()).isEmpty();
    }

    @Test
    void archivesOfAnotherJarAreRemoved() throws Exception {
        Files.writeString(target.resolve("mailwright-1-command.jsa"), "of an older jar");
        Files.writeString(target.resolve("mailwright-2.jsa"), "of the one-archive scheme");
        launch(null, "user", "list");
        assertThat(archives()).singleElement().asString().matches("mailwright-\\d+-command\\.jsa\\.\\d+\\.tmp");
    }

    @Test
    void whileTheServerListensStoreCommandsGoToItAndComeBackWhenItCannotTakeThem() throws Exception {
        Path socket = dir.resolve("data/run/admin.sock");
        try (var server = listening(socket)) {
            List<String> routed = launch(null, "user", "list");
            assertThat(routed).singleElement().asString()
                    .contains("-cp " + target.resolve("mailwright.jar") + " dev.mailwright.server.AdminClient " + socket
                            + " user list");
            assertThat(launch(null, "import", "mbox", "x")).as("not a store command").singleElement().asString()
                    .doesNotContain("AdminClient");
            Files.writeString(dir.resolve("admin-exit"), "111");
            List<String> back = launch(null, "user", "list");
            assertThat(back.get(0)).contains("AdminClient");
            assertThat(back.subList(1, back.size())).noneMatch(c -> c.contains("AdminClient"));
            assertThat(back.get(back.size() - 1)).contains("-jar").endsWith("user list");
        }
    }

    @Test
    void everyCommandTheServerTakesIsRoutedToItsSocket() throws Exception {
        Path socket = dir.resolve("data/run/admin.sock");
        try (var server = listening(socket)) {
            for (String command : new java.util.TreeSet<>(AdminProtocol.COMMANDS)) {
                assertThat(launch(null, command, "list")).as(command).singleElement().asString()
                        .contains("dev.mailwright.server.AdminClient " + socket + " " + command + " list");
            }
        }
    }

    /** A server's admin socket, as the launcher finds it (it only looks for the socket file). */
    private static java.nio.channels.ServerSocketChannel listening(Path socket) throws IOException {
        Files.createDirectories(socket.getParent());
        java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(
                java.net.StandardProtocolFamily.UNIX);
        server.bind(java.net.UnixDomainSocketAddress.of(socket));
        return server;
    }
}
