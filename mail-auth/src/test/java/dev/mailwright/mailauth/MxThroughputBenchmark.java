package dev.mailwright.mailauth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import dev.mailwright.mailauth.dkim.DkimVerifier;
import dev.mailwright.mailauth.dmarc.Dmarc;
import dev.mailwright.dns.DnsLookup;
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
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * MX throughput with mail authentication off and on (issue 23's cost note), over real sockets:
 * a few clients each send DKIM-signed (rsa-sha256, 2048 bits), SPF-permitted, DMARC p=reject
 * messages of about 4 KB to the in-memory store. "on" asks an in-memory zone (no DNS time at
 * all: the cost of the checks themselves); "on+Nus" adds N microseconds to every DNS answer, as
 * a local caching resolver would. Run:
 * {@code mvn -o -q -pl mail-auth test-compile org.codehaus.mojo:exec-maven-plugin:3.6.2:java -Dexec.classpathScope=test
 * -Dexec.mainClass=dev.mailwright.mailauth.MxThroughputBenchmark -Dexec.args="4 500"}
 * (arguments: clients, messages per client).
 */
public final class MxThroughputBenchmark {

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int perClient = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        MailStore keys = new InMemoryMailStore(Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()));
        keys.domains().add("sender.example");
        DkimKeyGenerator.GeneratedKey key = new DkimKeyGenerator(keys.dkimKeys())
                .generate("sender.example", "s1", DkimKey.Algorithm.RSA_SHA256);
        InMemoryZone zone = new InMemoryZone()
                .txt("sender.example", "v=spf1 ip4:127.0.0.1 -all")
                .txt("_dmarc.sender.example", "v=DMARC1; p=reject")
                .txt("s1._domainkey.sender.example", "v=DKIM1; k=rsa; p=" + key.publicKeyTag());
        StringBuilder body = new StringBuilder();
        while (body.length() < 4000) {
            body.append("The quick brown fox jumps over the lazy dog, and then some more words.\r\n");
        }
        String message = "From: Ann <ann@sender.example>\r\nTo: alice@example.org\r\nSubject: bench\r\n"
                + "Date: Mon, 7 Dec 2026 19:00:00 +0000\r\nMessage-ID: <b@sender.example>\r\n\r\n" + body;
        String signed = new DkimSigner(key.key(), Clock.systemUTC()).sign(new ByteArrayInputStream(message.getBytes(ISO_8859_1)))
                + message;
        String[] modes = {"off", "on", "on+200us", "off", "on", "on+200us"};
        for (String mode : modes) {
            DnsLookup dns = mode.startsWith("on+") ? zone.delayed(Long.parseLong(mode.substring(3, mode.length() - 2)) * 1000)
                    : zone;
            double rate = run(mode.equals("off") ? null : dns, clients, perClient, signed);
            System.out.printf("%-9s %d clients x %d messages: %.0f messages/s%n", mode, clients, perClient, rate);
        }
    }

    private static double run(DnsLookup dns, int clients, int perClient, String signed) throws Exception {
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
        try (SmtpServer server = b.start()) {
            int port = server.port(SmtpSettings.Mode.MX);
            send(port, 1, 200, signed); // warm up
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                done.add(pool.submit(() -> {
                    send(port, 1, perClient, signed);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            return clients * perClient / seconds;
        } finally {
            store.close();
        }
    }

    private static void send(int port, int connections, int messages, String signed) throws Exception {
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
}
