package dev.mailwright.smtp.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.testing.SessionHarness;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every dialogue under {@code src/test/resources/transcripts} through a session without
 * sockets. Lines: {@code C: text} is sent with CRLF; {@code R: text} is sent as is with
 * {@code \r \n \t \\} escapes; {@code S: text} must be the next line the server sent
 * ({@code *} matches anything); {@code = count mailbox n}, {@code = contains mailbox text},
 * {@code = queued n} and {@code = closed} check the outcome; {@code #! key=value ...} sets up
 * the listener; other {@code #} lines are comments. At the end nothing may be left unread.
 */
class TranscriptTest {

    static Stream<Arguments> transcripts() throws IOException, URISyntaxException {
        URL dir = TranscriptTest.class.getResource("/transcripts");
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            List<Path> list = files.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
            return Stream.of(SessionHarness.Feed.values())
                    .flatMap(feed -> list.stream().map(p -> Arguments.of(p.getFileName(), p, feed)));
        }
    }

    @ParameterizedTest(name = "{0} (fed {2})")
    @MethodSource("transcripts")
    void transcriptShouldMatch(Path name, Path file, SessionHarness.Feed feed) throws IOException {
        List<String> script = Files.readAllLines(file, StandardCharsets.UTF_8);
        SmtpSettings.Builder settings = SessionHarness.settings();
        for (String line : script) {
            if (line.startsWith("#!")) {
                for (String option : line.substring(2).trim().split("\\s+")) {
                    String[] kv = option.split("=", 2);
                    switch (kv[0]) {
                        case "mode" -> settings.mode(SmtpSettings.Mode.valueOf(kv[1]));
                        case "maxSize" -> settings.maxMessageSize(Long.parseLong(kv[1]));
                        case "maxRecipients" -> settings.maxRecipients(Integer.parseInt(kv[1]));
                        case "maxBadCommands" -> settings.maxBadCommands(Integer.parseInt(kv[1]));
                        case "maxJunkCommands" -> settings.maxJunkCommands(Integer.parseInt(kv[1]));
                        case "maxAuthFailures" -> settings.maxAuthFailures(Integer.parseInt(kv[1]));
                        case "maxCommandLine" -> settings.maxCommandLine(Integer.parseInt(kv[1]));
                        case "bareLineEnds" -> settings.bareLineEnds(SmtpSettings.BareLineEnds.valueOf(kv[1]));
                        case "authWithoutTls" -> settings.authWithoutTls(Boolean.parseBoolean(kv[1]));
                        case "authOnMx" -> settings.authOnMx(Boolean.parseBoolean(kv[1]));
                        case "senderOwnership" -> settings.senderOwnership(Boolean.parseBoolean(kv[1]));
                        case "postmaster" -> settings.postmaster(dev.mailwright.store.Address.parse(kv[1]));
                        default -> fail("unknown option " + option);
                    }
                }
            }
        }
        SessionHarness h = SessionHarness.of(settings.build()).feed(feed);
        Deque<String> received = new ArrayDeque<>();
        int n = 0;
        for (String line : script) {
            n++;
            String where = file.getFileName() + ":" + n;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("C: ") || line.equals("C:")) {
                h.send(line.substring(Math.min(3, line.length())) + "\r\n");
            } else if (line.startsWith("R: ")) {
                h.send(unescape(line.substring(3)));
            } else if (line.startsWith("S: ")) {
                if (received.isEmpty()) {
                    split(h.take(), received);
                }
                String expected = line.substring(3);
                assertThat(received).as("%s: server said nothing, expected %s", where, expected).isNotEmpty();
                String actual = received.removeFirst();
                assertThat(actual).as(where).matches(glob(expected));
            } else if (line.startsWith("= ")) {
                String[] check = line.substring(2).split(" ", 3);
                switch (check[0]) {
                    case "count" -> assertThat(h.count(check[1])).as(where).isEqualTo(Integer.parseInt(check[2]));
                    case "contains" -> assertThat(h.newest(check[1])).as(where).contains(unescape(check[2]));
                    case "lacks" -> assertThat(h.newest(check[1])).as(where).doesNotContain(unescape(check[2]));
                    case "queued" -> assertThat(h.store.queue().list()).as(where).hasSize(Integer.parseInt(check[1]));
                    case "requiretls" -> assertThat(h.store.queue().list()).as(where)
                            .allSatisfy(q -> assertThat(q.envelope().requireTls()).isEqualTo(Boolean.parseBoolean(check[1])));
                    case "closed" -> assertThat(h.channel.closed()).as(where).isTrue();
                    case "open" -> assertThat(h.channel.closed()).as(where).isFalse();
                    default -> fail(where + ": unknown check " + line);
                }
            } else {
                fail(where + ": cannot read " + line);
            }
        }
        split(h.take(), received);
        assertThat(received).as("%s: replies nobody expected", file.getFileName()).isEmpty();
    }

    private static void split(String output, Deque<String> into) {
        if (output.isEmpty()) {
            return;
        }
        assertThat(output).endsWith("\r\n");
        for (String l : output.substring(0, output.length() - 2).split("\r\n", -1)) {
            assertThat(l).doesNotContain("\n").doesNotContain("\r");
            into.add(l);
        }
    }

    private static Pattern glob(String expected) {
        StringBuilder re = new StringBuilder();
        String[] parts = expected.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            re.append(i > 0 ? ".*" : "").append(Pattern.quote(parts[i]));
        }
        return Pattern.compile(re.toString(), Pattern.DOTALL);
    }

    static String unescape(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char e = text.charAt(++i);
                sb.append(switch (e) {
                    case 'r' -> '\r';
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    default -> e;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
