package dev.mailwright.outbound.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.outbound.OutboundConfig;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The small parts of outbound delivery on their own. */
class PiecesTest {

    private static String filtered(String message) throws Exception {
        try (InputStream in = new ReturnPathFilter(new ByteArrayInputStream(message.getBytes(UTF_8)))) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    @Test
    void returnPathFieldsAndTheirContinuationsAreDroppedFromTheHeaderOnly() throws Exception {
        assertThat(filtered("Return-Path: <a@b.test>\r\nreturn-path:\r\n <c@d.test>\r\nSubject: s\r\n\r\n"
                + "Return-Path: in the body stays\r\n"))
                .isEqualTo("Subject: s\r\n\r\nReturn-Path: in the body stays\r\n");
        assertThat(filtered("Subject: s\r\nX-Return-Path: kept\r\n\r\nbody")).isEqualTo("Subject: s\r\nX-Return-Path: kept\r\n\r\nbody");
        assertThat(filtered("")).isEmpty();
    }

    @Test
    void wireEncoderMatchesNormalisingThenDotStuffingOnRandomContent() throws Exception {
        Random random = new Random(20260301);
        byte[] alphabet = {'a', '.', '\r', '\n', ' ', (byte) 0xc3, 'Z'};
        for (int round = 0; round < 300; round++) {
            byte[] content = new byte[random.nextInt(round < 20 ? 8 : 100_000)];
            for (int i = 0; i < content.length; i++) {
                content[i] = alphabet[random.nextInt(alphabet.length)];
            }
            for (boolean stuff : new boolean[] {true, false}) {
                InputStream normalized = dev.mailwright.store.content.WireFormat.normalize(new ByteArrayInputStream(content));
                byte[] expected = (stuff ? dev.mailwright.protocol.codec.DotStuffing.stuff(normalized) : normalized)
                        .readAllBytes();
                assertThat(new WireEncoder(new ByteArrayInputStream(content), stuff).readAllBytes())
                        .as("round %d, stuff %s", round, stuff).isEqualTo(expected);
                java.io.ByteArrayOutputStream oneByOne = new java.io.ByteArrayOutputStream();
                try (InputStream in = new WireEncoder(new ByteArrayInputStream(content), stuff)) {
                    int c;
                    while ((c = in.read()) >= 0) {
                        oneByOne.write(c);
                    }
                }
                assertThat(oneByOne.toByteArray()).isEqualTo(expected);
            }
        }
    }

    @Test
    void backoffDoublesFromTheFirstRetryUpToTheCapWithJitterBelow() {
        Backoff b = new Backoff(Duration.ofMinutes(5), Duration.ofHours(1), new Random(1));
        for (int attempts = 0; attempts < 40; attempts++) {
            long expected = Math.min(5L << Math.min(attempts, 20), 60);
            Duration d = b.delay(attempts);
            assertThat(d).isLessThanOrEqualTo(Duration.ofMinutes(expected))
                    .isGreaterThanOrEqualTo(Duration.ofMinutes(expected).multipliedBy(8).dividedBy(10));
        }
    }

    @Test
    void repliesGiveTheirEnhancedStatusOrOneFromTheBasicCode() {
        assertThat(new Reply(550, List.of("5.1.1 <x@y.test>: no such user")).status()).isEqualTo("5.1.1");
        assertThat(new Reply(451, List.of("try later")).status()).isEqualTo("4.0.0");
        assertThat(new Reply(250, List.of("ok", "more")).toString()).isEqualTo("250 ok more");
        assertThat(Reply.sanitize("bad\u0000\u00e9text")).isEqualTo("bad??text");
    }

    @Test
    void ehloKeywordsAreParsedWithTheirParameters() {
        Map<String, String> ext = SmtpClient.extensions(new Reply(250, List.of("mx.test greets you", "pipelining",
                "SIZE 35882577", "AUTH PLAIN LOGIN", "8BITMIME")));
        assertThat(ext).containsEntry("PIPELINING", "").containsEntry("SIZE", "35882577")
                .containsEntry("AUTH", "PLAIN LOGIN").containsKey("8BITMIME").doesNotContainKey("MX.TEST");
    }

    @Test
    void aPerDomainSmarthostWinsOverTheOneForAllMail() {
        OutboundConfig.Smarthost all = OutboundConfig.Smarthost.of("relay.test", 587, OutboundConfig.TlsMode.STARTTLS);
        OutboundConfig.Smarthost special = OutboundConfig.Smarthost.of("special.test", 465, OutboundConfig.TlsMode.IMPLICIT);
        OutboundConfig c = OutboundConfig.builder("out.test").smarthost(all).smarthost("Special.ORG", special).build();
        assertThat(c.smarthostFor("special.org")).contains(special);
        assertThat(c.smarthostFor("other.org")).contains(all);
        assertThat(OutboundConfig.builder("out.test").build().smarthostFor("x.org")).isEmpty();
        assertThat(OutboundConfig.builder("out.test").build().maxAge()).isEqualTo(Duration.ofDays(5));
    }
}
