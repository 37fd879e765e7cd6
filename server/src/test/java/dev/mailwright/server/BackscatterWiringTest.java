package dev.mailwright.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.store.Address;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, backscatter, through the whole server on PostgreSQL (ADR 0027): an unauthenticated
 * {@code MAIL FROM:<victim> RET=FULL} to an alias forwarding to a domain whose server refuses
 * leaves with an SRS sender; the victim's DSN carries the header only; a bounce to the SRS
 * address goes back to the victim; the SRS key is kept in the database.
 */
@Timeout(120)
class BackscatterWiringTest {

    private static final Address VICTIM = Address.parse("victim@elsewhere.example");

    @TempDir
    Path dataDir;

    @Test
    void forwardedMailFromAForgedSenderComesBackAsHeadersOnlyAndItsSrsAddressReturnsBounces() throws Exception {
        List<String> senders = new CopyOnWriteArrayList<>();
        MailHandler.Factory refusing = session -> new MailHandler() {
            @Override
            public void from(MailFrom from) {
                senders.add(from.reversePath().map(Object::toString).orElse(""));
            }

            @Override
            public void recipient(RcptTo recipient) {
                throw new SmtpRejection(SmtpReply.of(550, "5.1.1", "no such user here"));
            }

            @Override
            public OutputStream content() {
                return OutputStream.nullOutputStream();
            }
        };
        try (SmtpServer target = SmtpServer.builder().hostname("mx.remote.example").localDomains(d -> true)
                .handler(refusing).tls(SelfSignedCertificate.generate("mx.remote.example").tlsConfig()).mx(0).start()) {
            TestDatabases.TestDatabase db = TestDatabases.fresh();
            Map<String, String> env = ServerTestSupport.env(dataDir, db);
            env.put("MAILWRIGHT_HOSTNAME", "mx.example.org");
            Path conf = Files.createTempFile("mailwright", ".conf");
            // the victim's domain is routed to a port where nothing listens: its DSN waits in the queue
            // (a temporary failure) instead of failing at once on a resolver that answers NXDOMAIN
            // quickly, which raced awaitDsnTo
            int closed;
            try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
                closed = free.getLocalPort();
            }
            Files.writeString(conf, "outbound.domain-smarthosts {\n  \"remote.example\" { host = \"127.0.0.1:"
                    + target.port(SmtpSettings.Mode.MX) + "\", verify-certificate = false }\n"
                    + "  \"elsewhere.example\" { host = \"127.0.0.1:" + closed + "\" }\n}\n");
            try (MailwrightServer server = MailwrightServer.start(ConfigLoader.load(Optional.of(conf), env))) {
                server.store().domains().add("example.org");
                server.store().aliases().add("forward@example.org", List.of(Address.parse("someone@remote.example")));
                int mx = server.ports().get("smtp");

                assertThat(send(mx, "<victim@elsewhere.example> RET=FULL", "forward@example.org"))
                        .as("the forward is accepted").startsWith("250");

                QueueItem dsn = awaitDsnTo(server, VICTIM);
                assertThat(senders).hasSize(1);
                String srsSender = senders.get(0);
                assertThat(srsSender).matches("SRS0=[A-Za-z0-9+/]{6}=[A-Z2-7]{2}=elsewhere\\.example=victim@mx\\.example\\.org");
                String content;
                try (InputStream in = server.store().queue().openContent(dsn.messageId())) {
                    content = new String(in.readAllBytes(), UTF_8);
                }
                assertThat(content).contains("Content-Type: text/rfc822-headers", "Subject: forged")
                        .doesNotContain("the secret body");

                int before = server.store().queue().list().size();
                assertThat(send(mx, "<>", srsSender)).as("a bounce to the SRS address").startsWith("250");
                assertThat(server.store().queue().list()).hasSize(before + 1);
                assertThat(send(mx, "<>", srsSender.replaceFirst("SRS0=......", "SRS0=AAAAAA")))
                        .as("a forged SRS address").startsWith("550 5.1.1");

                assertThat(server.store().secrets().getOrCreate(ServerModule.SRS_SECRET, new byte[] {1}))
                        .as("the SRS key the first start made and kept").hasSize(32);
            }
        }
    }

    private static QueueItem awaitDsnTo(MailwrightServer server, Address to) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            for (QueueItem item : server.store().queue().list()) {
                if (item.envelope().reversePath().isEmpty() && item.recipient().address().equals(to)) {
                    return item;
                }
            }
            Thread.sleep(100); // the worker is woken by the commit
        }
        throw new AssertionError("no DSN to " + to + " in " + server.store().queue().list());
    }

    /** One unauthenticated transaction on the MX; the reply to RCPT (the message is sent if it was 250). */
    private static String send(int port, String mailFrom, String rcpt) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
            OutputStream out = s.getOutputStream();
            reply(in);
            out.write(("EHLO client.example\r\n").getBytes(UTF_8));
            reply(in);
            out.write(("MAIL FROM:" + mailFrom + "\r\n").getBytes(UTF_8));
            assertThat(reply(in)).startsWith("250");
            out.write(("RCPT TO:<" + rcpt + ">\r\n").getBytes(UTF_8));
            String answer = reply(in);
            if (answer.startsWith("250")) {
                out.write("DATA\r\n".getBytes(UTF_8));
                assertThat(reply(in)).startsWith("354");
                out.write("From: <victim@elsewhere.example>\r\nSubject: forged\r\n\r\nthe secret body\r\n.\r\n"
                        .getBytes(UTF_8));
                assertThat(reply(in)).startsWith("250");
            }
            out.write("QUIT\r\n".getBytes(UTF_8));
            return answer;
        }
    }

    /** A whole reply; its last line. */
    private static String reply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
        } while (line != null && line.length() > 3 && line.charAt(3) == '-');
        return line;
    }
}
