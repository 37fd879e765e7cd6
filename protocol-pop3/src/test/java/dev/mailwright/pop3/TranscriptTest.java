package dev.mailwright.pop3;

import dev.mailwright.pop3.session.Pop3Settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mailwright.pop3.support.FlakyMailStore;
import dev.mailwright.pop3.support.TestMail;
import dev.mailwright.protocol.Limits;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Maildrop;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;

/**
 * Runs every dialogue under {@code src/test/resources/transcripts}: {@code C:} lines are sent,
 * {@code S:} lines must come back exactly, {@code S~} lines must match a regular expression,
 * {@code !} lines set up the server and the mailbox or act between lines (see README.txt there).
 */
class TranscriptTest {

    static final SelfSignedCertificate CERT = SelfSignedCertificate.generate("localhost");

    @TestFactory
    @Timeout(120)
    Stream<DynamicTest> transcripts() throws IOException, URISyntaxException {
        Path dir = Paths.get(TranscriptTest.class.getResource("/transcripts").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("\\0", "\0")
                .replace("\\\\", "\\");
    }

    private static void run(Path file) throws Exception {
        List<String> script = Files.readAllLines(file, StandardCharsets.UTF_8);
        // "! config scram": a store that keeps SCRAM keys (passwords.scram = true); off otherwise, as by default
        TestMail mail = new TestMail(script.stream().anyMatch(l -> l.startsWith("! config ") && l.contains(" scram")));
        Pop3Server.Builder builder = Pop3Server.builder().store(mail.store()).clock(mail.clock)
                .authThrottle(AuthThrottle.disabled()).hostname("localhost");
        List<Consumer<Pop3Settings.Builder>> settings = new ArrayList<>();
        Limits limits = Pop3Settings.DEFAULT_LIMITS;
        for (String line : script) {
            if (!line.startsWith("! config ")) {
                continue;
            }
            for (String opt : line.substring(9).trim().split("\\s+")) {
                String[] kv = opt.split("=", 2);
                switch (kv[0]) {
                    case "plaintext" -> settings.add(s -> s.plaintextWithoutTls(true));
                    case "scram" -> { } // read above: it chooses the store
                    case "apop" -> settings.add(s -> s.apop(true));
                    case "last" -> settings.add(s -> s.last(true));
                    case "tls" -> builder.tls(CERT.tlsConfig());
                    case "timestamp" -> builder.apopTimestamps(() -> kv[1]);
                    case "loginDelay" -> settings.add(s -> s.loginDelay(Duration.parse(kv[1])));
                    case "expire" -> settings.add(s -> s.expire(Optional.of(Duration.parse(kv[1]))));
                    case "maxBadCommands" -> limits = limits.withMaxBadCommands(Integer.parseInt(kv[1]));
                    case "maxLineLength" -> limits = limits.withMaxLineLength(Integer.parseInt(kv[1]));
                    case "maxAuthFailures" -> settings.add(s -> s.maxAuthFailures(Integer.parseInt(kv[1])));
                    default -> fail("unknown config " + opt);
                }
            }
        }
        Limits chosen = limits;
        builder.settings(s -> {
            settings.forEach(option -> option.accept(s));
            return s.limits(chosen);
        });
        try (Pop3Server server = builder.start()) {
            Conversation c = null;
            Maildrop heldLock = null;
            int lineNo = 0;
            try {
                for (String line : script) {
                    lineNo++;
                    if (line.isBlank() || line.startsWith("#") || line.startsWith("! config ")) {
                        continue;
                    }
                    String where = file.getFileName() + ":" + lineNo + ": ";
                    if (line.startsWith("! ")) {
                        String[] w = line.substring(2).trim().split(" ", 3);
                        switch (w[0]) {
                            case "account" -> mail.account(w[1], w[2]);
                            case "apop-secret" -> mail.memory.accounts().setApopSecret(Address.parse(w[1]), Optional.of(w[2]));
                            case "message" -> message(mail, w[1], w[2]);
                            case "policy" -> policy(mail, w[1], w[2]);
                            case "disable" -> mail.memory.accounts().setEnabled(Address.parse(w[1]), false);
                            case "outage" -> mail.store.mode(FlakyMailStore.Mode.valueOf(w[1]));
                            case "lock" -> heldLock = mail.memory.maildrops().open(mail.get(w[1]).id(), "other node",
                                    Duration.ofMinutes(5));
                            case "unlock" -> heldLock.close();
                            case "advance" -> mail.clock.advance(Duration.parse(w[1]));
                            case "connect" -> {
                                if (c != null) {
                                    c.close();
                                }
                                c = new Conversation(server.port());
                            }
                            case "closed" -> assertThat(c.readLine()).as(where + "connection closed").isNull();
                            case "count" -> assertThat(mail.messageCount(w[1])).as(where + "messages of " + w[1])
                                    .isEqualTo(Integer.parseInt(w[2]));
                            case "raw" -> c.send(unescape(line.substring(6)).getBytes(StandardCharsets.UTF_8));
                            default -> fail(where + "unknown directive " + line);
                        }
                        continue;
                    }
                    if (c == null) {
                        c = new Conversation(server.port());
                    }
                    String body = line.length() > 3 ? line.substring(3) : "";
                    if (line.startsWith("C: ") || line.equals("C:")) {
                        c.send((body + "\r\n").getBytes(StandardCharsets.UTF_8));
                    } else if (line.startsWith("S: ") || line.equals("S:")) {
                        assertThat(c.readLine()).as(where + line).isEqualTo(body);
                    } else if (line.startsWith("S~ ")) {
                        assertThat(c.readLine()).as(where + line).matches(body);
                    } else {
                        fail(where + "cannot parse: " + line);
                    }
                }
            } finally {
                if (c != null) {
                    c.close();
                }
                if (heldLock != null) {
                    heldLock.close();
                }
            }
        }
    }

    private static void message(TestMail mail, String address, String spec) {
        Optional<String> uidl = Optional.empty();
        String content = null;
        for (String part : spec.split(" (?=(uidl|size|text)=)")) {
            if (part.startsWith("uidl=")) {
                uidl = Optional.of(part.substring(5));
            } else if (part.startsWith("size=")) {
                content = TestMail.messageOfSize(mail.messageCount(address) + 1, Integer.parseInt(part.substring(5)));
            } else if (part.startsWith("text=")) {
                content = unescape(part.substring(5));
            }
        }
        mail.deliver(address, content.getBytes(StandardCharsets.UTF_8), uidl);
    }

    private static void policy(TestMail mail, String address, String spec) {
        Optional<Duration> expire = Optional.empty();
        Optional<Duration> delay = Optional.empty();
        for (String part : spec.split(" ")) {
            if (part.startsWith("expire=")) {
                expire = Optional.of(Duration.parse(part.substring(7)));
            } else if (part.startsWith("loginDelay=")) {
                delay = Optional.of(Duration.parse(part.substring(11)));
            }
        }
        mail.memory.accounts().setPop3Policy(Address.parse(address), new Account.Pop3Policy(expire, delay));
    }

    /** A raw client connection reading CRLF lines. */
    static final class Conversation implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Conversation(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(20_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        void send(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** The next line without CRLF; a line not ended by CRLF fails; null at end of stream. */
        String readLine() throws IOException {
            StringBuilder b = new StringBuilder();
            java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
            int prev = -1;
            for (;;) {
                int c;
                try {
                    c = in.read();
                } catch (java.net.SocketException e) {
                    c = -1;
                }
                if (c < 0) {
                    if (buf.size() == 0) {
                        return null;
                    }
                    fail("line not ended by CRLF: " + buf);
                }
                if (c == '\n') {
                    if (prev != '\r') {
                        fail("bare LF from server after: " + buf);
                    }
                    byte[] bytes = buf.toByteArray();
                    b.append(new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8));
                    return b.toString();
                }
                buf.write(c);
                prev = c;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
