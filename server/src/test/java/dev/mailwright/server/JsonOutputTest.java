package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailwright.admin.command.AdminCommands;
import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.postgres.embedded.EmbeddedPostgresLauncher;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every command that has {@code --json} prints exactly one JSON document on stdout, with the
 * embedded PostgreSQL (whose launcher logs) in use, as {@code ./mailwright ... --json | jq} needs.
 */
class JsonOutputTest {

    @TempDir
    static Path dataDir;
    private static Map<String, String> env;
    private static EmbeddedPostgresLauncher running;

    /** Each command with --json, as run here; a new one must be added (see {@link #everyCommandWithJsonIsCovered}). */
    private static final Map<String, List<String>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("domain list", List.of("domain", "list"));
        COMMANDS.put("user list", List.of("user", "list"));
        COMMANDS.put("user show", List.of("user", "show", "alice@example.org"));
        COMMANDS.put("alias list", List.of("alias", "list"));
        COMMANDS.put("sender list", List.of("sender", "list"));
        COMMANDS.put("quota show", List.of("quota", "show", "alice@example.org"));
        COMMANDS.put("quota recalc", List.of("quota", "recalc", "alice@example.org"));
        COMMANDS.put("mailbox list", List.of("mailbox", "list", "alice@example.org"));
        COMMANDS.put("mailbox show", List.of("mailbox", "show", "alice@example.org", "1"));
        COMMANDS.put("mailbox stats", List.of("mailbox", "stats"));
        COMMANDS.put("queue list", List.of("queue", "list"));
        COMMANDS.put("queue show", List.of("queue", "show", "1"));
        COMMANDS.put("db status", List.of("db", "status"));
        COMMANDS.put("check", List.of("check", "--no-dns"));
        COMMANDS.put("dkim list", List.of("dkim", "list"));
        COMMANDS.put("dkim show", List.of("dkim", "show", "example.org"));
        COMMANDS.put("who", List.of("who"));
        COMMANDS.put("tls-reports list", List.of("tls-reports", "list", "--day", "2026-12-06"));
    }

    @BeforeAll
    static void installation() throws Exception {
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        env = new HashMap<>();
        env.put("MAILWRIGHT_HOME", dataDir.toString());
        env.put("MAILWRIGHT_DATABASE_EMBEDDED_PORT", Integer.toString(port));
        // the server's part: the cluster stays up between the commands, as while the server runs
        running = EmbeddedPostgresLauncher.start(dataDir.resolve("postgres"), port);
        assertThat(run(null, "db", "migrate").exit()).isZero();
        assertThat(run(null, "domain", "add", "example.org").exit()).isZero();
        assertThat(run("alice-secret-1\n", "user", "add", "alice@example.org", "--password-stdin").exit()).isZero();
        assertThat(run(null, "alias", "add", "info@example.org", "alice@example.org").exit()).isZero();
        Result keygen = run(null, "dkim", "keygen", "example.org", "--selector", "s1", "--algorithm", "ed25519");
        assertThat(keygen.exit()).as(keygen.err()).isZero();
        dkimRecord = keygen.out();
        Path mbox = dataDir.resolve("in.mbox");
        Files.writeString(mbox, "From bob@example.org Mon Jan  5 10:11:12 2026\nFrom: bob@example.org\n"
                + "Subject: hello\n\nHi Alice.\n");
        assertThat(run(null, "import", "mbox", "--user", "alice@example.org", mbox.toString()).exit()).isZero();
        ServerConfig config = ConfigLoader.load(Optional.empty(), env);
        try (Database db = Database.open(config, Database.Schema.VALIDATE);
             Delivery d = db.store().deliveries().begin(Envelope.of(Optional.of(Address.parse("alice@example.org")),
                     Instant.now()))) {
            d.addRemote(RemoteRecipient.of(Address.parse("carol@remote.test")));
            d.content().write("Subject: out\r\n\r\nbody\r\n".getBytes(UTF_8));
            d.commit();
        }
    }

    /** What {@code dkim keygen} printed. */
    private static String dkimRecord;

    @Test
    void dkimShowPrintsTheRecordKeygenPrinted() throws IOException {
        Result shown = run(null, "dkim", "show", "Example.ORG");
        assertThat(shown.exit()).as(shown.err()).isZero();
        assertThat(shown.out()).isEqualTo(dkimRecord).startsWith("s1._domainkey.example.org. IN TXT \"v=DKIM1; k=ed25519; p=");
        JsonNode json = run(null, "dkim", "show", "example.org", "--selector", "s1", "--json").json();
        assertThat(json.get(0).get("name").asText()).isEqualTo("s1._domainkey.example.org.");
        assertThat(dkimRecord).contains("\"" + json.get(0).get("value").asText() + "\"");
        assertThat(json.get(0).get("signing").asBoolean()).isTrue();
        Result none = run(null, "dkim", "show", "example.org", "--selector", "nope");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("error: no DKIM key nope for example.org\n");
    }

    @AfterAll
    static void stop() {
        running.close();
    }

    @Test
    void everyCommandWithJsonIsCovered() {
        ServerConfig config = ConfigLoader.load(Optional.empty(), env);
        CommandLine cl = AdminCommands.create(new LauncherAdminContext(config, "test"), System.out, System.err,
                new ByteArrayInputStream(new byte[0]));
        cl.addSubcommand("dkim", new CommandLine(new DkimCommand(new LauncherAdminContext(config, "test"),
                java.time.Clock.systemUTC())));
        cl.addSubcommand("tls-reports", new CommandLine(new TlsReportsCommand(new LauncherAdminContext(config, "test"),
                java.time.Clock.systemUTC())));
        TreeSet<String> withJson = new TreeSet<>();
        collect(cl, withJson);
        assertThat(withJson).isEqualTo(new TreeSet<>(COMMANDS.keySet()));
    }

    private static void collect(CommandLine cl, TreeSet<String> into) {
        if (cl.getCommandSpec().findOption("--json") != null) {
            into.add(cl.getCommandSpec().qualifiedName(" ").substring("mailwright ".length()));
        }
        cl.getSubcommands().values().forEach(sub -> collect(sub, into));
    }

    @Test
    void eachPrintsExactlyOneJsonDocumentOnStdout() throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        for (Map.Entry<String, List<String>> c : COMMANDS.entrySet()) {
            List<String> args = new ArrayList<>(c.getValue());
            args.add("--json");
            Result r = run(null, args.toArray(String[]::new));
            assertThat(r.exit()).as(c.getKey() + ": " + r.err()).isIn(0, 2); // check exits 2 when a check fails
            assertThat(r.out()).as(c.getKey()).isNotBlank();
            // readTree fails on a log line before the document; FAIL_ON_TRAILING_TOKENS on anything after it
            JsonNode doc = mapper.reader().with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readTree(r.out());
            assertThat(doc.isArray() || doc.isObject()).as(c.getKey()).isTrue();
        }
    }

    @Test
    void aFreshProcessKeepsItsStdoutForTheDocumentToo() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the test classpath holds two logback-test.xml, and Logback reports that on stdout before
        // Main configures it; the jar's logback.xml has no status output (NopStatusListener)
        ProcessBuilder pb = new ProcessBuilder(java, "-Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "user", "list", "--json", "--verbose");
        pb.environment().putAll(env);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        assertThat(new String(out, UTF_8)).as("stdout").startsWith("[");
        JsonNode doc = new ObjectMapper().reader()
                .with(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(out);
        assertThat(doc.get(0).get("address").asText()).isEqualTo("alice@example.org");
        // --verbose: where the data is, and the launcher's log line, on stderr
        assertThat(err).contains("data directory " + dataDir.toAbsolutePath().normalize()).contains("using the PostgreSQL already running");
    }

    private record Result(int exit, String out, String err) {
        JsonNode json() throws IOException {
            return new ObjectMapper().readTree(out);
        }
    }

    private static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.out;
        PrintStream captured = new PrintStream(out, true, UTF_8);
        System.setOut(captured); // where Logback's console appender would write if it wrote to stdout
        try {
            int exit = Main.run(args, captured, new PrintStream(err, true, UTF_8),
                    new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(UTF_8)), env);
            return new Result(exit, out.toString(UTF_8), err.toString(UTF_8));
        } finally {
            System.setOut(original);
        }
    }
}
