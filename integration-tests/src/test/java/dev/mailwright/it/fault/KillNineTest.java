package dev.mailwright.it.fault;

import static dev.mailwright.it.support.TestServers.addUser;
import static dev.mailwright.it.support.TestServers.admin;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.it.support.ChildServer;
import dev.mailwright.it.support.Eventually;
import dev.mailwright.it.support.MailClients.Pop3Way;
import dev.mailwright.it.support.MailClients;
import dev.mailwright.it.support.TestMessages;
import dev.mailwright.it.support.TestServers;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.smtp.SMTPClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the server process (the real launcher as a child process, on an external
 * PostgreSQL) right after a client got {@code 250} for a message, while a POP3 session on the
 * same node holds the maildrop lock with a deletion pending. After a restart the message is
 * there byte for byte, the pending deletion never happened, and the maildrop opens at once: the
 * node releases what its previous run held. Without a restart, another node sharing the
 * database gets the maildrop once the dead node's lease runs out.
 */
@Timeout(300)
class KillNineTest {

    private static final Duration LEASE = Duration.ofSeconds(10); // the least pop3.lock-lease allowed

    @TempDir
    Path home;

    private static String deliverOverMx(Map<String, Integer> ports, String from, String to, String message)
            throws IOException {
        SMTPClient smtp = new SMTPClient();
        smtp.setDefaultTimeout(60_000);
        smtp.connect("127.0.0.1", ports.get("smtp"));
        try {
            assertThat(smtp.helo("client.outside.test")).isEqualTo(250);
            assertThat(smtp.setSender(from)).as(smtp.getReplyString()).isTrue();
            assertThat(smtp.addRecipient(to)).as(smtp.getReplyString()).isTrue();
            Writer w = smtp.sendMessageData();
            assertThat(w).as(smtp.getReplyString()).isNotNull();
            w.write(message);
            w.close();
            smtp.completePendingCommand();
            return smtp.getReplyString();
        } finally {
            smtp.disconnect(); // no QUIT: the kill follows the 250 at once
        }
    }

    private static List<String> lockHolders(TestDatabases.TestDatabase db) throws SQLException {
        List<String> holders = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT holder FROM maildrop_locks")) {
            while (rs.next()) {
                holders.add(rs.getString(1));
            }
        }
        return holders;
    }

    @Test
    void aMessageAcknowledgedWith250SurvivesKill9ByteForByteAndTheRestartedNodeReleasesItsLocksAtOnce()
            throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> env = new HashMap<>(TestServers.env(home.resolve("data"), db)); // the default 60 s lease
        admin(env, null, "domain", "add", "example.org");
        addUser(env, "bob@example.org", "bob-password-22");

        Random random = new Random(9);
        String first = TestMessages.build("before-kill", "someone@outside.test", "bob@example.org", 2_000, random);
        // large enough to span several stored chunks and many TCP segments
        String acknowledged = TestMessages.build("acked-then-killed", "someone@outside.test", "bob@example.org",
                900_000, random);

        ChildServer node = ChildServer.start(env, home.resolve("first-run.log"));
        POP3Client holder;
        try {
            assertThat(deliverOverMx(node.ports(), "someone@outside.test", "bob@example.org", first)).startsWith("250");
            holder = MailClients.pop3Login(Pop3Way.STLS, node.ports(), "bob@example.org", "bob-password-22");
            assertThat(holder.deleteMessage(1)).isTrue(); // pending; only a QUIT would commit it

            String reply = deliverOverMx(node.ports(), "someone@outside.test", "bob@example.org", acknowledged);
            assertThat(reply).startsWith("250");
        } finally {
            node.kill9();
        }
        // the killed node could not release its lock: the lease row is still there
        assertThat(lockHolders(db)).singleElement().asString().contains("/");
        try {
            holder.disconnect();
        } catch (IOException alreadyGone) {
            // the peer died
        }

        try (ChildServer again = ChildServer.start(env, home.resolve("second-run.log"))) {
            // the same node (its identity is kept in the data directory) released the dead session's
            // lock when it started: the first login succeeds, long before the 60 s lease would end
            assertThat(lockHolders(db)).isEmpty();
            POP3Client bob = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, again.ports(), "bob@example.org",
                    "bob-password-22");
            assertThat(bob.status().number).as("the DELE of the killed session was never committed").isEqualTo(2);
            String one = TestMessages.withoutTrace(MailClients.readAll(bob.retrieveMessage(1)));
            String two = TestMessages.withoutTrace(MailClients.readAll(bob.retrieveMessage(2)));
            assertThat(TestMessages.sha256(one)).isEqualTo(TestMessages.sha256(first));
            assertThat(TestMessages.sha256(two)).as("the acknowledged message, byte for byte")
                    .isEqualTo(TestMessages.sha256(acknowledged));
            bob.logout();
            bob.disconnect();
            assertThat(again.stop()).isZero();
        }
    }

    @Test
    void aKilledNodesMaildropOpensOnAnotherNodeWithinTheLease() throws Exception {
        TestDatabases.TestDatabase db = TestDatabases.fresh();
        Map<String, String> envA = new HashMap<>(TestServers.env(home.resolve("node-a"), db));
        envA.put("MAILWRIGHT_POP3_LOCK_LEASE", LEASE.toSeconds() + "s");
        Map<String, String> envB = new HashMap<>(envA);
        envB.put("MAILWRIGHT_HOME", home.resolve("node-b").toString());
        admin(envA, null, "domain", "add", "example.org");
        addUser(envA, "dan@example.org", "dan-password-4444");

        try (ChildServer b = ChildServer.start(envB, home.resolve("node-b.log"))) {
            ChildServer a = ChildServer.start(envA, home.resolve("node-a.log"));
            POP3Client onA;
            try {
                onA = MailClients.pop3Login(Pop3Way.STLS, a.ports(), "dan@example.org", "dan-password-4444");
                // an idle client keeps its lock past the lease: node A's heartbeat renews it
                Thread.sleep(LEASE.multipliedBy(3).toMillis() / 2);
                POP3Client tooEarly = MailClients.pop3(Pop3Way.IMPLICIT_TLS, b.ports());
                assertThat(tooEarly.login("dan@example.org", "dan-password-4444")).isFalse();
                assertThat(tooEarly.getReplyString()).startsWith("-ERR [IN-USE]");
                tooEarly.disconnect();
            } finally {
                a.kill9();
            }
            try {
                onA.disconnect();
            } catch (IOException alreadyGone) {
                // the peer died
            }
            // within the lease (and one heartbeat of node A that may have renewed it just before the kill)
            POP3Client onB = Eventually.await("node A's lease runs out", LEASE.multipliedBy(3),
                    () -> MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, b.ports(), "dan@example.org",
                            "dan-password-4444"));
            onB.logout();
            onB.disconnect();
            assertThat(b.stop()).isZero();
        }
    }

    /**
     * The default deployment, {@code ./mailwright serve} with its embedded PostgreSQL under the
     * data directory: the PostgreSQL server is a process of its own and outlives the killed JVM;
     * the restarted server takes it over (and stops it when it stops), and the acknowledged
     * message is there byte for byte.
     */
    @Test
    void onTheEmbeddedDefaultTheAcknowledgedMessageSurvivesKill9() throws Exception {
        // under root the embedded PostgreSQL runs as an unprivileged user, which must reach the data directory
        Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path data = home.resolve("data");
        Map<String, String> env = new HashMap<>();
        env.put("MAILWRIGHT_HOME", data.toString());
        env.put("MAILWRIGHT_DATABASE_EMBEDDED_PORT", String.valueOf(ChildServer.freePort()));
        env.put("MAILWRIGHT_SHUTDOWN_GRACE_PERIOD", "2s");
        env.put("MAILWRIGHT_OUTBOUND_ENABLED", "false");
        String message = TestMessages.build("embedded-acked-then-killed", "someone@outside.test", "carol@example.org",
                300_000, new Random(99));
        try {
            ChildServer node = ChildServer.start(env, home.resolve("first-run.log"));
            try {
                admin(env, null, "domain", "add", "example.org");
                addUser(env, "carol@example.org", "carol-password-333");
                assertThat(deliverOverMx(node.ports(), "someone@outside.test", "carol@example.org", message))
                        .startsWith("250");
            } finally {
                node.kill9();
            }
            try (ChildServer again = ChildServer.start(env, home.resolve("second-run.log"))) {
                POP3Client carol = MailClients.pop3Login(Pop3Way.IMPLICIT_TLS, again.ports(), "carol@example.org",
                        "carol-password-333");
                assertThat(carol.status().number).isEqualTo(1);
                String kept = TestMessages.withoutTrace(MailClients.readAll(carol.retrieveMessage(1)));
                assertThat(TestMessages.sha256(kept)).isEqualTo(TestMessages.sha256(message));
                carol.logout();
                carol.disconnect();
                assertThat(again.stop()).isZero();
            }
            // the restarted server took over the PostgreSQL its killed predecessor left running, and stopped it
            assertThat(data.resolve("postgres/postmaster.pid")).doesNotExist();
        } finally {
            stopOrphanedPostgres(data.resolve("postgres"));
        }
    }

    /** When the test failed half-way, a PostgreSQL may still run on the data directory: stop it. */
    private static void stopOrphanedPostgres(Path cluster) throws Exception {
        Path pidFile = cluster.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
        if (postmaster.isPresent()) {
            postmaster.get().destroy(); // SIGTERM: PostgreSQL's smart shutdown, no clients are left
            postmaster.get().onExit().get(60, TimeUnit.SECONDS);
        }
    }
}
