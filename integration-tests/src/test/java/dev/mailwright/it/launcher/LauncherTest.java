package dev.mailwright.it.launcher;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.tls.OpportunisticTls;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.IOException;
import java.io.Reader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's journey through the real launcher: {@code ./mailwright serve} on the embedded
 * default (its own PostgreSQL under the data directory), admin commands against the running
 * server, a message submitted with Jakarta Mail (STARTTLS + AUTH) and fetched over POP3S,
 * then SIGTERM: exit 0. Runs the jar the server module built in this reactor.
 */
class LauncherTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @TempDir
    Path home;

    private static int freePort() {
        return dev.mailwright.it.support.ChildServer.freePort();
    }

    private Map<String, String> env;

    private ProcessBuilder launcher(String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(ROOT.resolve("mailwright").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().putAll(env);
        return pb;
    }

    private String admin(String stdin, String... args) throws Exception {
        Process p = launcher(args).redirectErrorStream(true).start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", args) + ": " + out).isZero();
        return out;
    }

    static SSLContext trustAll() throws Exception {
        return OpportunisticTls.clientContext();
    }

    @Test
    void serveAdministerSendFetchAndStopGracefully() throws Exception {
        Path jar = ROOT.resolve("server/target/mailwright.jar");
        assertThat(jar).as("the server module builds the launcher jar before this module's tests").exists();
        Map<String, Integer> ports = new HashMap<>();
        env = new HashMap<>();
        for (String l : List.of("smtp", "submission", "submissions", "pop3", "pop3s", "metrics")) {
            ports.put(l, freePort());
            env.put("MAILWRIGHT_LISTENERS_" + l.toUpperCase() + "_PORT", String.valueOf(ports.get(l)));
        }
        env.put("MAILWRIGHT_DATABASE_EMBEDDED_PORT", String.valueOf(freePort()));
        // under root the embedded PostgreSQL runs as an unprivileged user, which must reach the data directory
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        env.put("MAILWRIGHT_HOME", home.toString());
        env.put("JAVA_OPTS", "-Xmx256m");
        env.put("MAILWRIGHT_SHUTDOWN_GRACE_PERIOD", "1s");

        Path log = home.resolve("serve.log");
        Process server = launcher("serve").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(ports.get("metrics"), server, log);
            admin(null, "domain", "add", "example.org");
            admin("alice-password-1\n", "user", "add", "alice@example.org", "--password-stdin");
            admin("bob-password-22\n", "user", "add", "bob@example.org", "--password-stdin");

            Properties props = new Properties();
            props.put("mail.smtp.host", "127.0.0.1");
            props.put("mail.smtp.port", String.valueOf(ports.get("submission")));
            props.put("mail.smtp.auth", "true");
            props.put("mail.smtp.starttls.enable", "true");
            props.put("mail.smtp.starttls.required", "true");
            props.put("mail.smtp.ssl.socketFactory", trustAll().getSocketFactory());
            props.put("mail.smtp.ssl.checkserveridentity", "false");
            Session session = Session.getInstance(props);
            MimeMessage m = new MimeMessage(session);
            m.setFrom(new InternetAddress("alice@example.org"));
            m.setRecipient(Message.RecipientType.TO, new InternetAddress("bob@example.org"));
            m.setSubject("through the launcher");
            m.setText("hello bob\n", "UTF-8");
            Transport.send(m, "alice@example.org", "alice-password-1");

            POP3SClient pop3 = new POP3SClient(true, trustAll());
            pop3.connect("127.0.0.1", ports.get("pop3s"));
            assertThat(pop3.login("bob@example.org", "bob-password-22")).isTrue();
            POP3MessageInfo[] list = pop3.listMessages();
            assertThat(list).hasSize(1);
            StringBuilder text = new StringBuilder();
            try (Reader r = pop3.retrieveMessage(list[0].number); BufferedReader br = new BufferedReader(r)) {
                br.lines().forEach(l -> text.append(l).append('\n'));
            }
            pop3.logout();
            pop3.disconnect();
            assertThat(text.toString()).contains("Subject: through the launcher").contains("hello bob")
                    .contains("Received:");

            assertThat(admin(null, "mailbox", "list", "bob@example.org")).contains("through the launcher");

            // SIGTERM while a message is being transferred: the grace period (1 s here) runs out,
            // the client is told 421, and nothing of the unfinished message is stored
            try (Socket mx = new Socket("127.0.0.1", ports.get("smtp"))) {
                mx.setSoTimeout(60_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(mx.getInputStream(), UTF_8));
                java.io.OutputStream out = mx.getOutputStream();
                assertThat(in.readLine()).startsWith("220 ");
                for (String[] step : new String[][] {{"EHLO client.example", "250 "}, {"MAIL FROM:<someone@elsewhere.test>", "250 "},
                        {"RCPT TO:<bob@example.org>", "250 "}, {"DATA", "354 "}}) {
                    out.write((step[0] + "\r\n").getBytes(UTF_8));
                    out.flush();
                    String line;
                    do {
                        line = in.readLine();
                    } while (line != null && line.startsWith("250-"));
                    assertThat(line).as(step[0]).startsWith(step[1]);
                }
                out.write("Subject: half a message\r\n\r\nthe rest never comes\r\n".getBytes(UTF_8));
                out.flush();
                server.destroy(); // SIGTERM
                assertThat(in.readLine()).startsWith("421 4.3.2");
            }
        } finally {
            server.destroy(); // SIGTERM
            boolean ended = server.waitFor(90, TimeUnit.SECONDS);
            if (!ended) {
                server.destroyForcibly();
            }
            assertThat(ended).as("server stops after SIGTERM").isTrue();
        }
        assertThat(server.exitValue()).as(Files.readString(log)).isZero();
        assertThat(Files.readString(log)).contains("Mailwright ready in").contains("stopped in");
        // the admin commands work without the server too (they start the embedded PostgreSQL themselves)
        assertThat(admin(null, "mailbox", "list", "bob@example.org")).contains("through the launcher")
                .doesNotContain("half a message");
    }

    /**
     * The class data sharing archive of the launcher: the first {@code serve} records one when
     * its JVM exits (SIGTERM, exit 0), the next start checks it and moves it into place and maps
     * it, later starts reuse it; a file in its place that is not an archive, and a torn
     * recording, are thrown away and recorded anew. Runs a copy of the launcher and the jar, so
     * that the archives of the real build are left alone.
     */
    @Test
    void serveRecordsAClassArchiveThatLaterStartsMap() throws Exception {
        Path copy = copyOfTheLauncher("launcher");
        int metrics = serveEnvironment("data", "-Xmx256m");

        serveUntilReadyThenStop(copy, metrics, "first");
        assertThat(files(copy, ".jsa")).as("nothing in place yet").isEmpty();
        assertThat(files(copy, ".tmp")).as("recorded when the first serve's JVM exited").hasSize(1);

        String maps = serveUntilReadyThenStop(copy, metrics, "second");
        List<Path> archives = files(copy, ".jsa");
        assertThat(archives).as("checked and moved into place").hasSize(1);
        Path archive = archives.get(0);
        assertThat(maps).as("the second start maps it").contains(archive.toString());
        assertThat(files(copy, ".tmp")).isEmpty();
        Object inode = Files.getAttribute(archive, "unix:ino");

        maps = serveUntilReadyThenStop(copy, metrics, "third");
        assertThat(maps).contains(archive.toString());
        assertThat(Files.getAttribute(archive, "unix:ino")).as("reused, not rewritten").isEqualTo(inode);
        assertThat(files(copy, ".tmp")).isEmpty();

        byte[] garbage = "not a class data sharing archive".getBytes(UTF_8);
        Files.delete(archive); // the JVM writes archives read-only
        Files.write(archive, garbage);
        serveUntilReadyThenStop(copy, metrics, "over a garbage archive");
        assertThat(files(copy, ".jsa")).as("the garbage is gone").isEmpty();
        List<Path> recorded = files(copy, ".tmp");
        assertThat(recorded).as("and a new archive recorded").hasSize(1);

        Files.delete(recorded.get(0));
        Files.write(recorded.get(0), garbage); // as if the JVM had died while writing it
        maps = serveUntilReadyThenStop(copy, metrics, "over a torn recording");
        assertThat(maps).doesNotContain("mailwright-");
        assertThat(files(copy, ".jsa")).isEmpty();
        assertThat(files(copy, ".tmp")).as("the torn one dropped, a new one recorded").hasSize(1)
                .doesNotContain(recorded.get(0));
    }

    @Test
    void serveWithFlightRecordingLeavesClassDataSharingAlone() throws Exception {
        // JDK 17 crashes when JFR meets a dynamic archive being recorded: the launcher must not record one
        Path copy = copyOfTheLauncher("launcher-jfr");
        int metrics = serveEnvironment("data-jfr", "-Xmx256m -XX:StartFlightRecording");

        String maps = serveUntilReadyThenStop(copy, metrics, "with JFR");
        assertThat(Files.readString(home.resolve("serve-with-JFR.log"))).as("JFR was on").contains("Started recording");
        assertThat(maps).doesNotContain("mailwright-");
        assertThat(files(copy, ".jsa")).isEmpty();
        assertThat(files(copy, ".tmp")).as("no archive recorded beside JFR").isEmpty();
    }

    /** The launcher and the built jar, copied into {@code dir} under the test's home. */
    private Path copyOfTheLauncher(String dir) throws IOException {
        Path copy = home.resolve(dir);
        Files.createDirectories(copy.resolve("server/target"));
        Files.copy(ROOT.resolve("mailwright"), copy.resolve("mailwright"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(ROOT.resolve("server/target/mailwright.jar"), copy.resolve("server/target/mailwright.jar"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        return copy;
    }

    /** Sets {@link #env} for a serve with free ports, data in {@code dataDir} and {@code javaOpts}; returns the metrics port. */
    private int serveEnvironment(String dataDir, String javaOpts) throws IOException {
        Path data = home.resolve(dataDir);
        Files.createDirectories(data);
        // as root, the embedded PostgreSQL runs as "postgres": it must reach the data directory
        Files.setPosixFilePermissions(home, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(data, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        int metrics = freePort();
        env = new HashMap<>();
        for (String l : List.of("smtp", "submission", "submissions", "pop3", "pop3s", "metrics")) {
            env.put("MAILWRIGHT_LISTENERS_" + l.toUpperCase() + "_PORT", String.valueOf(l.equals("metrics") ? metrics : freePort()));
        }
        env.put("MAILWRIGHT_DATABASE_EMBEDDED_PORT", String.valueOf(freePort()));
        env.put("MAILWRIGHT_HOME", data.toString());
        env.put("JAVA_OPTS", javaOpts);
        return metrics;
    }

    /** Starts the launcher copy's serve, waits for /readyz, stops it with SIGTERM; returns java's memory map while ready. */
    private String serveUntilReadyThenStop(Path launcherCopy, int metricsPort, String which) throws Exception {
        Path log = home.resolve("serve-" + which.replace(' ', '-') + ".log");
        ProcessBuilder pb = new ProcessBuilder(launcherCopy.resolve("mailwright").toString(), "serve")
                .directory(launcherCopy.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process server = pb.start();
        String maps = "";
        try {
            awaitReady(metricsPort, server, log);
            Path mapsFile = Path.of("/proc/" + server.pid() + "/maps");
            maps = Files.exists(mapsFile) ? Files.readString(mapsFile) : "";
        } finally {
            server.destroy(); // SIGTERM: the launcher exec'd java, so it reaches the JVM itself
            boolean ended = server.waitFor(90, TimeUnit.SECONDS);
            if (!ended) {
                server.destroyForcibly();
            }
            assertThat(ended).as(which + " serve stops after SIGTERM").isTrue();
        }
        assertThat(server.exitValue()).as(which + " serve: " + Files.readString(log)).isZero();
        assertThat(Files.readString(log)).as(which + " serve logs no class data sharing warnings")
                .doesNotContain("[cds");
        return maps;
    }

    private static List<Path> files(Path launcherCopy, String suffix) throws IOException {
        try (var files = Files.list(launcherCopy.resolve("server/target"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        }
    }

    private static void awaitReady(int metricsPort, Process server, Path log) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(Duration.ofMinutes(4)); // the first run builds nothing but initdb's the cluster
        while (Instant.now().isBefore(deadline)) {
            assertThat(server.isAlive()).as("server exited early: " + Files.readString(log)).isTrue();
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort
                        + "/readyz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            server.waitFor(250, TimeUnit.MILLISECONDS);
        }
        throw new AssertionError("server not ready in time: " + Files.readString(log));
    }
}
