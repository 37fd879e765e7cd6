package dev.mailwright.it.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.Resolution;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.testing.TestDatabases;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The POP3 server over the PostgreSQL store, driven by Jakarta Mail and a raw socket. */
@Timeout(300)
class Pop3OverPostgresTest {

    private static final String USER = "alice@example.org";
    private static final String PASSWORD = "correct horse";

    private static HikariDataSource pool;
    private static PostgresMailStore store;
    private static Pop3Server pop3;

    @BeforeAll
    static void start() {
        pool = TestDatabases.fresh().pool(4);
        store = new PostgresMailStore(pool, Clock.systemUTC(),
                new PasswordHashing(new PasswordHashing.Argon2Cost(1024, 1, 1), new SecureRandom()));
        store.domains().add("example.org");
        store.accounts().add(Address.parse(USER), PASSWORD.toCharArray());
        pop3 = Pop3Server.builder().store(store).settings(s -> s.plaintextWithoutTls(true))
                .authThrottle(AuthThrottle.disabled()).start();
    }

    @AfterAll
    static void stop() {
        if (pop3 != null) {
            pop3.close();
        }
        if (store != null) {
            store.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private static void deliver(String content) throws Exception {
        Account a = store.accounts().get(Address.parse(USER)).orElseThrow();
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Instant.now()))) {
            d.addLocal(new Resolution.LocalRecipient(a.id(), a.address()), content.length());
            d.content().write(content.getBytes(StandardCharsets.UTF_8));
            d.commit();
        }
    }

    private static long messages() {
        return store.accounts().get(Address.parse(USER)).orElseThrow().usage().messages();
    }

    @Test
    void jakartaMailShouldRetrieveFromPostgresAndDeleteOnQuitWhileASecondSessionGetsInUse() throws Exception {
        deliver("Subject: one\r\n\r\nfirst body\r\n");
        deliver("Subject: two\n\n.starts with a dot\nno final newline");
        deliver("Subject: three\r\n\r\nthird body\r\n");

        Properties p = new Properties();
        p.put("mail.pop3.host", "127.0.0.1");
        p.put("mail.pop3.port", Integer.toString(pop3.port()));
        p.put("mail.pop3.timeout", "20000");
        Store client = Session.getInstance(p).getStore("pop3");
        client.connect(USER, PASSWORD);
        POP3Folder inbox = (POP3Folder) client.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        Message[] all = inbox.getMessages();
        assertThat(all).hasSize(3);

        try (Socket s = new Socket("127.0.0.1", pop3.port())) {
            s.setSoTimeout(20_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).startsWith("+OK");
            out.write(("USER " + USER + "\r\nPASS " + PASSWORD + "\r\n").getBytes(StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("+OK");
            assertThat(in.readLine()).isEqualTo("-ERR [IN-USE] maildrop is locked by another session");
        }

        assertThat(all[0].getSubject()).isEqualTo("one");
        assertThat(inbox.getUID(all[0])).isNotEqualTo(inbox.getUID(all[1]));
        assertThat(((String) all[1].getContent()).replace("\r\n", "\n")).isEqualTo(".starts with a dot\nno final newline\n");
        for (Message m : all) {
            m.setFlag(Flags.Flag.DELETED, true);
        }
        inbox.close(true);
        client.close();
        assertThat(messages()).isZero();
    }
}
