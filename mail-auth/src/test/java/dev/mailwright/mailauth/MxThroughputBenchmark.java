package dev.mailwright.mailauth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import dev.mailwright.mailauth.dkim.DkimVerifier;
import dev.mailwright.mailauth.dmarc.Dmarc;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.dns.DnsjavaLookup;
import dev.mailwright.dns.InMemoryZone;
import dev.mailwright.mailauth.spf.Spf;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.outbound.dkim.DkimSigner;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.Address;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.SimpleResolver;

/**
 * MX throughput with mail authentication off and on (issue 23's cost note), over real sockets: a
 * few clients each send DKIM-signed (rsa-sha256, 2048 bits), SPF-permitted, DMARC p=reject
 * messages of about 4 KB to the in-memory store. Modes:
 * <ul>
 * <li>{@code off}: no checks;
 * <li>{@code on}: the checks asking an in-memory zone (no DNS time at all: the checks' own cost);
 * <li>{@code on+Nus}: the in-memory zone answering every query after N microseconds, uncached;
 * <li>{@code on+dnsmasq}: the checks asking a real resolver process, dnsmasq on 127.0.0.1:55353
 * (started here, authoritative for the sender's zone with the same records, 300 s TTLs and an SOA,
 * so NXDOMAIN is cached as a resolver relaying a real zone's answer would be), through
 * {@link DnsjavaLookup} and its cache, as the server asks its resolver;
 * <li>{@code on+dnsmasq-nocache}: the same without {@link DnsjavaLookup}'s cache, every query asked
 * (the cost when every message comes from a domain not seen within the TTLs).
 * </ul>
 * Each mode prints messages/s, the benchmark JVM's CPU time per message (server and clients, one
 * process), dnsmasq's CPU time and the queries that reached it per message, and the load average
 * when the mode started. Run (see mail-auth/bench/README.md):
 * {@code mail-auth/bench/mx-throughput [clients] [messages per client] [rounds] [modes]}, default
 * {@code 4 1000 3 off,on,on+dnsmasq}.
 */
public final class MxThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> modes = List.of((args.length > 3 ? args[3] : "off,on,on+dnsmasq").split(","));
        MailStore keys = new InMemoryMailStore(Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
        keys.domains().add("sender.example");
        DkimKeyGenerator.GeneratedKey key = new DkimKeyGenerator(keys.dkimKeys())
                .generate("sender.example", "s1", DkimKey.Algorithm.RSA_SHA256);
        String spf = "v=spf1 ip4:127.0.0.1 -all";
        String dmarc = "v=DMARC1; p=reject";
        String dkim = "v=DKIM1; k=rsa; p=" + key.publicKeyTag();
        InMemoryZone zone = new InMemoryZone()
                .txt("sender.example", spf)
                .txt("_dmarc.sender.example", dmarc)
                .txt("s1._domainkey.sender.example", dkim);
        StringBuilder body = new StringBuilder();
        while (body.length() < 4000) {
            body.append("The quick brown fox jumps over the lazy dog, and then some more words.\r\n");
        }
        String message = "From: Ann <ann@sender.example>\r\nTo: alice@example.org\r\nSubject: bench\r\n"
                + "Date: Mon, 7 Dec 2026 19:00:00 +0000\r\nMessage-ID: <b@sender.example>\r\n\r\n" + body;
        String signed = new DkimSigner(key.key(), Clock.systemUTC()).sign(new ByteArrayInputStream(message.getBytes(ISO_8859_1)))
                + message;
        System.out.printf("%d clients x %d messages, %d rounds, %d cores, java %s%n", clients, perClient, rounds,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        try (Dnsmasq dnsmasq = modes.stream().anyMatch(m -> m.startsWith("on+dnsmasq"))
                ? Dnsmasq.start(Map.of("sender.example", spf, "_dmarc.sender.example", dmarc, "s1._domainkey.sender.example", dkim))
                : null) {
            for (int round = 1; round <= rounds; round++) {
                for (String mode : modes) {
                    if (mode.startsWith("on+dnsmasq") && dnsmasq == null) {
                        continue;
                    }
                    measure(round, mode, zone, dnsmasq, clients, perClient, signed);
                }
            }
        }
    }

    private static void measure(int round, String mode, InMemoryZone zone, Dnsmasq dnsmasq, int clients, int perClient,
            String signed) throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        DnsjavaLookup real = null;
        DnsLookup dns;
        if (mode.equals("off")) {
            dns = null;
        } else if (mode.equals("on")) {
            dns = zone;
        } else if (mode.equals("on+dnsmasq")) {
            real = new DnsjavaLookup(dnsmasq.resolver());
            dns = real;
        } else if (mode.equals("on+dnsmasq-nocache")) {
            real = new DnsjavaLookup(dnsmasq.resolver(), 0);
            dns = real;
        } else if (mode.startsWith("on+") && mode.endsWith("us")) {
            dns = zone.delayed(Long.parseLong(mode.substring(3, mode.length() - 2)) * 1000);
        } else {
            throw new IllegalArgumentException("unknown mode " + mode + " (off, on, on+dnsmasq, on+dnsmasq-nocache, on+200us)");
        }
        Result r = run(dns, real == null ? null : dnsmasq, clients, perClient, signed);
        int messages = clients * perClient;
        String resolver = real == null ? "" : String.format("  dnsmasq %.1f us CPU/msg, %.3f queries/msg",
                r.resolverCpuNanos() / 1e3 / messages, (double) r.resolverQueries() / messages);
        System.out.printf("round %d %-10s %6.0f msg/s  %5.0f us CPU/msg  load %s%s%n  last %s%n", round, mode, r.rate(),
                r.cpuNanos() / 1e3 / messages, load, resolver, r.verdict());
    }

    /** Throughput, CPU time of this JVM and of dnsmasq, and queries that reached dnsmasq, after the warm-up. */
    private record Result(double rate, long cpuNanos, long resolverCpuNanos, long resolverQueries, String verdict) {
    }

    private static Result run(DnsLookup dns, Dnsmasq dnsmasq, int clients, int perClient, String signed) throws Exception {
        MailStore store = new InMemoryMailStore(Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
        store.domains().add("example.org");
        store.accounts().add(Address.parse("alice@example.org"), "pw-alice-bench".toCharArray());
        SmtpServer.Builder b = SmtpServer.builder().hostname("mx.example.org").store(store).mx(0)
                .settings(s -> s.maxConnections(100, 100));
        if (dns != null) {
            b.policy(new MailAuthentication(new Spf(dns, "mx.example.org"),
                    new DkimVerifier(dns, DkimVerifier.Limits.DEFAULT, Clock.systemUTC()), new Dmarc(dns, () -> 0),
                    new MailAuthentication.Settings("mx.example.org", Actions.DEFAULT, Map.of(),
                            d -> d.equals("example.org"))));
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (SmtpServer server = b.start()) {
            int port = server.port(SmtpSettings.Mode.MX);
            send(port, 200, signed); // warm up
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                long resolverCpu = dnsmasq == null ? 0 : dnsmasq.cpuNanos();
                long resolverQueries = dnsmasq == null ? 0 : dnsmasq.queries();
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                List<Future<?>> done = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    done.add(pool.submit(() -> {
                        send(port, perClient, signed);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                long cpuNanos = os.getProcessCpuTime() - cpu;
                return new Result(clients * perClient / seconds, cpuNanos,
                        dnsmasq == null ? 0 : dnsmasq.cpuNanos() - resolverCpu,
                        dnsmasq == null ? 0 : dnsmasq.queries() - resolverQueries, verdict(store));
            } finally {
                pool.shutdownNow();
            }
        } finally {
            store.close();
        }
    }

    /** The Authentication-Results of the newest message: the same verdicts in every "on" mode, or the figures compare nothing. */
    private static String verdict(MailStore store) throws IOException {
        long id = store.accounts().get(Address.parse("alice@example.org")).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "bench", Duration.ofSeconds(5))) {
            var messages = drop.messages();
            try (InputStream in = drop.open(messages.get(messages.size() - 1).uid())) {
                String m = new String(in.readAllBytes(), UTF_8);
                int at = m.indexOf("Authentication-Results:");
                return at < 0 ? "(no Authentication-Results)"
                        : m.substring(at, m.indexOf("\r\n", m.indexOf("dmarc=", at))).replaceAll("\r\n\t", " ");
            }
        }
    }

    private static void send(int port, int messages, String signed) throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), ISO_8859_1));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            out.write("EHLO client.sender.example\r\n".getBytes(ISO_8859_1));
            expect(in, "250");
            byte[] data = (signed + ".\r\n").getBytes(ISO_8859_1);
            for (int i = 0; i < messages; i++) {
                out.write("MAIL FROM:<ann@sender.example>\r\nRCPT TO:<alice@example.org>\r\nDATA\r\n".getBytes(ISO_8859_1));
                expect(in, "250");
                expect(in, "250");
                expect(in, "354");
                out.write(data);
                expect(in, "250");
            }
            out.write("QUIT\r\n".getBytes(ISO_8859_1));
        }
    }

    private static void expect(BufferedReader in, String code) throws Exception {
        String line;
        do {
            line = in.readLine();
            if (line == null || !line.startsWith(code)) {
                throw new IllegalStateException("expected " + code + ", got " + line);
            }
        } while (line.charAt(3) == '-');
    }

    /**
     * A real resolver process for the "on+dnsmasq" mode: Debian's dnsmasq (package dnsmasq-base), run
     * as the current user on 127.0.0.1:55353, authoritative for {@code sender.example} with the given
     * TXT records (300 s TTL, SOA minimum 300 s), logging each query to a file so the queries that
     * reach it can be counted.
     */
    static final class Dnsmasq implements AutoCloseable {

        static final Path BINARY = Path.of("/usr/sbin/dnsmasq");
        static final int PORT = 55353;
        /**
         * {@code -Dbench.dnsmasq.authoritative=false}: dnsmasq only knows the TXT records, as session 4 ran
         * it; other names (the HELO name) are REFUSED, a temporary failure that is asked again for every message.
         */
        static final boolean AUTHORITATIVE = Boolean.parseBoolean(System.getProperty("bench.dnsmasq.authoritative", "true"));

        private final Process process;
        private final Path dir;

        private Dnsmasq(Process process, Path dir) {
            this.process = process;
            this.dir = dir;
        }

        /** Started and answering, or null (with the reason printed) when dnsmasq is not installed. */
        static Dnsmasq start(Map<String, String> txt) throws Exception {
            if (!Files.isExecutable(BINARY)) {
                System.out.println("on+dnsmasq SKIPPED: no " + BINARY + " (Debian: apt-get install dnsmasq-base);"
                        + " no figure against a real resolver");
                return null;
            }
            Path dir = Files.createTempDirectory("mx-bench-dnsmasq");
            List<String> conf = new ArrayList<>();
            txt.forEach((name, text) -> {
                List<String> parts = new ArrayList<>(); // character-strings of at most 255 octets
                for (int i = 0; i < text.length(); i += 200) {
                    parts.add('"' + text.substring(i, Math.min(text.length(), i + 200)) + '"');
                }
                conf.add("txt-record=" + name + "," + String.join(",", parts));
            });
            Files.write(dir.resolve("dnsmasq.conf"), conf);
            List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--keep-in-foreground", "--no-resolv", "--no-hosts",
                    "--port=" + PORT, "--listen-address=127.0.0.1", "--bind-interfaces",
                    "--user=" + System.getProperty("user.name"), "--pid-file=" + dir.resolve("pid"),
                    "--local-ttl=300",
                    "--log-queries", "--log-facility=" + dir.resolve("queries.log"),
                    "--conf-file=" + dir.resolve("dnsmasq.conf")));
            if (AUTHORITATIVE) {
                command.addAll(List.of("--auth-server=ns.sender.example,127.0.0.1", "--auth-zone=sender.example",
                        "--auth-ttl=300", "--auth-soa=1,hostmaster.sender.example,1200,180,1209600,300"));
            }
            Process p = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("out.log").toFile()).start();
            Dnsmasq d = new Dnsmasq(p, dir);
            DnsjavaLookup probe = new DnsjavaLookup(d.resolver());
            for (int i = 0; i < 50 && !probe.txt("sender.example").found(); i++) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("dnsmasq exited: " + Files.readString(dir.resolve("out.log")));
                }
                Thread.sleep(100);
            }
            System.out.println("on+dnsmasq: " + BINARY + " pid " + p.pid() + " on 127.0.0.1:" + PORT
                    + (AUTHORITATIVE ? ", authoritative for sender.example" : ", TXT records only") + ", files in " + dir);
            return d;
        }

        SimpleResolver resolver() throws IOException {
            SimpleResolver r = new SimpleResolver(InetAddress.getLoopbackAddress());
            r.setPort(PORT);
            r.setTimeout(Duration.ofSeconds(2));
            return r;
        }

        /** Queries dnsmasq has logged so far. */
        long queries() throws IOException {
            try (var lines = Files.lines(dir.resolve("queries.log"), ISO_8859_1)) {
                return lines.filter(l -> l.contains(" query[") || l.contains(" auth[")).count();
            }
        }

        /** User and system CPU time of the dnsmasq process so far (/proc, in clock ticks of 10 ms). */
        long cpuNanos() throws IOException {
            String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        }

        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
