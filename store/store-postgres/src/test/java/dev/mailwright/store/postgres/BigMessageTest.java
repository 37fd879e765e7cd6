package dev.mailwright.store.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A 100 MB message goes in and comes out byte-identical while the heap is far smaller than
 * the message (this class runs in its own surefire execution with -Xmx64m).
 */
@Tag("large-message")
class BigMessageTest {

    private static final long SIZE = 100L * 1024 * 1024;

    @Test
    void hundredMegabyteMessageIsStoredAndReadBackByteIdentical() throws Exception {
        assertThat(Runtime.getRuntime().maxMemory()).as("heap cap of this test run").isLessThan(SIZE);
        TestDatabase db = TestDatabases.fresh();
        try (HikariDataSource pool = db.pool(4);
             PostgresMailStore store = new PostgresMailStore(pool, Clock.systemUTC(),
                     new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom()))) {
            store.domains().add("example.org");
            Account a = store.accounts().add(Address.parse("big@example.org"), "big-password".toCharArray());

            MessageDigest written = MessageDigest.getInstance("SHA-256");
            DeliveryReceipt receipt;
            try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()))) {
                d.addLocal(new LocalRecipient(a.id(), a.address()), SIZE);
                writeContent(d.content(), written);
                receipt = d.commit();
            }
            assertThat(receipt.size()).isEqualTo(SIZE);

            MessageDigest read = MessageDigest.getInstance("SHA-256");
            long octets = 0;
            try (Maildrop m = store.maildrops().open(a.id(), "big", Duration.ofMinutes(10))) {
                MessageInfo info = m.messages().get(0);
                assertThat(info.size()).isEqualTo(SIZE); // CRLF lines only: the wire size is the stored size
                try (InputStream in = m.open(info.uid())) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        read.update(buf, 0, n);
                        octets += n;
                    }
                }
            }
            assertThat(octets).isEqualTo(SIZE);
            assertThat(HexFormat.of().formatHex(read.digest())).isEqualTo(HexFormat.of().formatHex(written.digest()));
        }
    }

    /** 100 MB of pseudo-random printable 78-octet lines with CRLF, digested as written. */
    private static void writeContent(OutputStream out, MessageDigest digest) throws IOException {
        Random random = new Random(42);
        byte[] header = "Subject: a big one\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] buf = new byte[80 * 1024];
        long written = 0;
        out.write(header);
        digest.update(header);
        written += header.length;
        while (written < SIZE) {
            int len = (int) Math.min(buf.length, SIZE - written);
            for (int i = 0; i < len; i++) {
                int col = (int) ((written + i - header.length) % 80);
                buf[i] = col == 78 ? (byte) '\r' : col == 79 ? (byte) '\n' : (byte) ('!' + random.nextInt(90));
            }
            // the last line must end in CRLF too, so that the wire size equals the stored size
            if (written + len == SIZE) {
                buf[len - 2] = '\r';
                buf[len - 1] = '\n';
            }
            out.write(buf, 0, len);
            digest.update(buf, 0, len);
            written += len;
        }
    }
}
