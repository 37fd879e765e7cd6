package dev.mailwright.pop3;

import static dev.mailwright.pop3.support.Pop3Fixture.ALICE;
import static dev.mailwright.pop3.support.Pop3Fixture.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.support.FlakyMailStore;
import dev.mailwright.pop3.support.Pop3Fixture;
import dev.mailwright.pop3.support.RawClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real-client download orders, locking, lease takeover and outages, over raw sockets. */
@Timeout(60)
class MaildropConcurrencyTest {

    private Pop3Fixture pop3;

    @BeforeEach
    void start() {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(true).lease(Duration.ofMinutes(1))));
        for (int i = 1; i <= 3; i++) {
            pop3.deliver("Subject: " + i + "\r\n\r\nbody " + i + "\r\n");
        }
    }

    @AfterEach
    void stop() {
        pop3.close();
    }

    private RawClient loggedIn() throws IOException {
        RawClient c = pop3.connect();
        assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK");
        return c;
    }

    /**
     * Logs in once the previous session's lock is gone. A client that hangs up without QUIT frees
     * the maildrop when the server sees the connection close, which may be after the next login
     * arrives; until then the server answers {@code [IN-USE]} and the client may try again.
     */
    private RawClient loggedInAfterRelease() throws IOException, InterruptedException {
        RawClient c = pop3.connect();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        String reply = c.login(ALICE, PASSWORD);
        while (reply.startsWith("-ERR [IN-USE]") && System.nanoTime() < deadline) {
            Thread.sleep(20);
            reply = c.login(ALICE, PASSWORD);
        }
        assertThat(reply).startsWith("+OK");
        return c;
    }

    private static void retr(RawClient c, int n) throws IOException {
        assertThat(c.command("RETR " + n)).startsWith("+OK");
        assertThat(new String(c.readMultiLine())).contains("body " + n);
    }

    @Test
    void retrThenDeleEachThenQuitShouldEmptyTheMailbox() throws IOException {
        try (RawClient c = loggedIn()) {
            for (int n = 1; n <= 3; n++) {
                retr(c, n);
                assertThat(c.command("DELE " + n)).isEqualTo("+OK message " + n + " deleted");
            }
            assertThat(c.command("QUIT")).isEqualTo("+OK Mailwright POP3 server signing off (maildrop empty)");
            assertThat(c.readLine()).isNull();
        }
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void allRetrThenAllDeleThenQuitShouldEmptyTheMailbox() throws IOException {
        try (RawClient c = loggedIn()) {
            for (int n = 1; n <= 3; n++) {
                retr(c, n);
            }
            for (int n = 1; n <= 3; n++) {
                assertThat(c.command("DELE " + n)).startsWith("+OK");
            }
            assertThat(c.command("QUIT")).startsWith("+OK");
            assertThat(c.readLine()).isNull();
        }
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void retrThenDeleEachWithoutQuitShouldKeepAllThree() throws IOException, InterruptedException {
        try (RawClient c = loggedIn()) {
            for (int n = 1; n <= 3; n++) {
                retr(c, n);
                assertThat(c.command("DELE " + n)).startsWith("+OK");
            }
        }
        try (RawClient c = loggedInAfterRelease()) {
            assertThat(c.command("STAT")).startsWith("+OK 3 ");
        }
    }

    @Test
    void allRetrThenAllDeleWithoutQuitShouldKeepAllThree() throws IOException, InterruptedException {
        try (RawClient c = loggedIn()) {
            for (int n = 1; n <= 3; n++) {
                retr(c, n);
            }
            for (int n = 1; n <= 3; n++) {
                assertThat(c.command("DELE " + n)).startsWith("+OK");
            }
        }
        try (RawClient c = loggedInAfterRelease()) {
            assertThat(c.command("STAT")).startsWith("+OK 3 ");
        }
    }

    @Test
    void secondSessionOnALockedMaildropShouldGetInUse() throws IOException {
        try (RawClient first = loggedIn(); RawClient second = pop3.connect()) {
            assertThat(second.login(ALICE, PASSWORD)).isEqualTo("-ERR [IN-USE] maildrop is locked by another session");
            assertThat(first.command("STAT")).startsWith("+OK 3 ");
            assertThat(first.command("QUIT")).startsWith("+OK");
            assertThat(first.readLine()).isNull();
            // the session on the locked maildrop stays in AUTHORIZATION and may try again
            assertThat(second.login(ALICE, PASSWORD)).startsWith("+OK");
        }
    }

    @Test
    void deleThenDisconnectShouldKeepTheMessageAndReleaseTheLock() throws IOException, InterruptedException {
        try (RawClient c = loggedIn()) {
            assertThat(c.command("DELE 1")).startsWith("+OK");
        }
        try (RawClient c = loggedInAfterRelease()) {
            assertThat(c.command("STAT")).startsWith("+OK 3 ");
        }
    }

    @Test
    void leaseOfAVanishedHolderShouldBeTakenOverAndItsLateQuitShouldChangeNothing() throws IOException {
        try (RawClient stale = loggedIn()) {
            assertThat(stale.command("DELE 1")).startsWith("+OK");
            pop3.mail.clock.advance(Duration.ofMinutes(2));
            try (RawClient fresh = loggedIn()) {
                assertThat(fresh.command("DELE 3")).startsWith("+OK");
                // the stale holder wakes up: its lease is gone, so its deletions are not applied
                assertThat(stale.command("QUIT")).startsWith("-ERR [SYS/TEMP]");
                assertThat(stale.readLine()).isNull();
                assertThat(fresh.command("QUIT")).startsWith("+OK");
            }
        }
        assertThat(pop3.messages()).isEqualTo(2);
    }

    @Test
    void idleConnectedSessionShouldKeepItsLockThroughTheHeartbeatSoNobodyTakesItOver() throws IOException {
        try (RawClient c = loggedIn()) {
            assertThat(pop3.server.leases().held()).isEqualTo(1);
            for (int i = 0; i < 6; i++) { // three leases of silence: only the node's heartbeat renews
                pop3.mail.clock.advance(Duration.ofSeconds(20));
                pop3.server.leases().renew();
            }
            try (RawClient other = pop3.connect()) {
                assertThat(other.login(ALICE, PASSWORD)).startsWith("-ERR [IN-USE]");
            }
            assertThat(c.command("DELE 2")).startsWith("+OK");
            assertThat(c.command("QUIT")).startsWith("+OK");
        }
        assertThat(pop3.messages()).isEqualTo(2);
        assertThat(pop3.server.leases().held()).isZero();
    }

    @Test
    void sessionWhoseLockWasTakenOverShouldEndAtOnceWithNothingChanged() throws IOException {
        try (RawClient stale = loggedIn()) {
            assertThat(stale.command("DELE 1")).startsWith("+OK");
            // the heartbeat could not reach the store for longer than the lease: another session takes over
            pop3.mail.clock.advance(Duration.ofSeconds(61));
            try (RawClient fresh = loggedIn()) {
                pop3.server.leases().renew(); // the store answers again: this lease is gone
                // the idle stale session is told and closed without waiting for its next command
                assertThat(stale.readLine()).isEqualTo("-ERR [SYS/TEMP] maildrop lock lost, nothing was changed");
                assertThat(stale.readLine()).isNull();
                assertThat(fresh.command("STAT")).startsWith("+OK 3 ");
                assertThat(fresh.command("QUIT")).startsWith("+OK");
            }
        }
        assertThat(pop3.messages()).isEqualTo(3);
    }

    @Test
    void storeOutageShouldAnswerSysTempAndTheSessionShouldSurvive() throws IOException {
        try (RawClient c = loggedIn()) {
            pop3.mail.store.mode(FlakyMailStore.Mode.TEMPORARY_OUTAGE);
            assertThat(c.command("RETR 1")).isEqualTo("-ERR [SYS/TEMP] mail store temporarily unavailable, try again later");
            pop3.mail.store.mode(FlakyMailStore.Mode.UP);
            retr(c, 1);
            assertThat(c.command("DELE 1")).startsWith("+OK");
            assertThat(c.command("QUIT")).startsWith("+OK");
        }
        assertThat(pop3.messages()).isEqualTo(2);
    }

    @Test
    void storeOutageAtLoginShouldNotLookLikeAWrongPassword() throws IOException {
        pop3.mail.store.mode(FlakyMailStore.Mode.TEMPORARY_OUTAGE);
        try (RawClient c = pop3.connect()) {
            assertThat(c.login(ALICE, PASSWORD)).isEqualTo("-ERR [SYS/TEMP] mail store temporarily unavailable, try again later");
            pop3.mail.store.mode(FlakyMailStore.Mode.UP);
            assertThat(c.login(ALICE, PASSWORD)).startsWith("+OK");
        }
    }

    @Test
    void serverStopShouldDeleteNothingAndReleaseLocks() throws IOException {
        try (RawClient c = loggedIn()) {
            assertThat(c.command("DELE 1")).startsWith("+OK");
            pop3.server.close();
            assertThat(c.readLine()).isNull();
        }
        assertThat(pop3.messages()).isEqualTo(3);
        assertThat(pop3.mail.memory.maildrops().open(pop3.mail.get(ALICE).id(), "check", Duration.ofSeconds(30)))
                .isNotNull();
    }
}
