package dev.mailwright.it.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.outbound.MapMxResolver;
import dev.mailwright.outbound.OutboundConfig;
import dev.mailwright.outbound.OutboundWorker;
import dev.mailwright.outbound.dkim.DkimKeyGenerator;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import dev.mailwright.smtp.api.MailHandler;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 100 MB message from the PostgreSQL queue to a remote MX, DKIM-signed on the way, in a JVM
 * whose heap is far smaller (the {@code large-message} surefire execution: {@code -Xmx64m}). The
 * receiving server shares the heap and only hashes what it gets.
 */
@Tag("large-message")
class OutboundLargeMessageTest {

    /** Argon2id at a test cost: no account logs in here. */
    private static final PasswordHashing HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());

    private static final long BODY_OCTETS = Long.getLong("large.megabytes", 100) * 1024 * 1024;
    private static final String HEADER = "From: ann@example.org\r\nTo: x@remote.test\r\nSubject: big\r\n\r\n";

    /** Writes the body: numbered lines of 100 octets. */
    private static void body(OutputStream out) throws Exception {
        byte[] line = new byte[100];
        java.util.Arrays.fill(line, (byte) 'x');
        line[98] = '\r';
        line[99] = '\n';
        for (long written = 0, n = 0; written < BODY_OCTETS; written += line.length, n++) {
            byte[] num = String.format("%012d ", n).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(num, 0, line, 0, num.length);
            out.write(line);
        }
    }

    /** Hashes what follows the last header section boundary it sees (the message body). */
    private static final class BodyHash extends OutputStream {
        final MessageDigest digest = sha256();
        private int matched;
        private boolean inBody;
        long octets;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int i = off;
            while (!inBody && i < off + len) {
                byte c = b[i++];
                matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
                inBody = matched == 4;
            }
            digest.update(b, i, off + len - i);
            octets += off + len - i;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void hundredMegabytesGoOutSignedWithoutHoldingTheMessage() throws Exception {
        BodyHash expected = new BodyHash();
        expected.write(HEADER.getBytes(StandardCharsets.US_ASCII));
        body(expected);

        AtomicReference<BodyHash> got = new AtomicReference<>();
        AtomicReference<Boolean> signed = new AtomicReference<>(false);
        try (HikariDataSource pool = TestDatabases.fresh().pool(4);
             SmtpServer rx = SmtpServer.builder().hostname("mx.remote.test").tls(SelfSignedCertificate.generate("mx.remote.test").tlsConfig())
                     .settings(s -> s.maxMessageSize(BODY_OCTETS * 2)).mx(0)
                     .handler(session -> new MailHandler() {
                         private final BodyHash hash = new BodyHash();
                         private final StringBuilder head = new StringBuilder();

                         @Override
                         public OutputStream content() {
                             return new OutputStream() {
                                 @Override
                                 public void write(int b) {
                                     write(new byte[] {(byte) b}, 0, 1);
                                 }

                                 @Override
                                 public void write(byte[] b, int off, int len) {
                                     if (head.length() < 4096) {
                                         head.append(new String(b, off, Math.min(len, 4096), StandardCharsets.ISO_8859_1));
                                     }
                                     hash.write(b, off, len);
                                 }
                             };
                         }

                         @Override
                         public void done() {
                             signed.set(head.toString().contains("DKIM-Signature: v=1; a=ed25519-sha256;"));
                             got.set(hash);
                         }
                     }).start();
             MailStore store = new PostgresMailStore(pool, Clock.systemUTC(), HASHING)) {
            store.domains().add("example.org");
            new DkimKeyGenerator(store.dkimKeys()).generate("example.org", "big", DkimKey.Algorithm.ED25519_SHA256);
            store.accounts().add(Address.parse("ann@example.org"), "ann-password-1".toCharArray());
            // submitted by ann, who may send as her From: only such mail is signed (ADR 0026)
            try (Delivery d = store.deliveries().begin(new Envelope(Optional.of(Address.parse("ann@example.org")),
                    Clock.systemUTC().instant(), Optional.empty(), Optional.empty(), false, Optional.of("ann@example.org")))) {
                d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
                d.content().write(HEADER.getBytes(StandardCharsets.US_ASCII));
                body(d.content());
                d.commit();
            }
            MapMxResolver mx = new MapMxResolver().add("remote.test", "127.0.0.1", rx.port());
            try (OutboundWorker worker = new OutboundWorker(store, mx, OutboundConfig.builder("out.example.org")
                    .timeouts(OutboundConfig.Timeouts.all(Duration.ofMinutes(2))).build(), Clock.systemUTC())) {
                assertThat(worker.runOnce()).isEqualTo(1);
            }
            assertThat(store.queue().list()).isEmpty();
        }
        assertThat(got.get()).isNotNull();
        assertThat(signed.get()).isTrue();
        assertThat(got.get().octets).isEqualTo(expected.octets).isGreaterThanOrEqualTo(BODY_OCTETS);
        assertThat(HexFormat.of().formatHex(got.get().digest.digest()))
                .isEqualTo(HexFormat.of().formatHex(expected.digest.digest()));
    }
}
