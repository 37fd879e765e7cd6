package dev.mailwright.pop3.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.pop3.Pop3Server;
import dev.mailwright.pop3.support.TestMail;
import dev.mailwright.protocol.Authenticator;
import dev.mailwright.protocol.codec.Line;
import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.store.Account;
import dev.mailwright.password.ScramCredentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Failed logins from many client addresses through the dispatcher, with the server's standard
 * throttle (no network: a reply's hold is read, not waited for). The defects of issue 19: a
 * success reset an address's failures against every account; an IPv6 /64 was as many clients as
 * addresses; the table was cleared wholesale when full.
 */
class LoginThrottleTest {

    private static final String ALICE = "alice@example.org";
    private static final String MALLORY = "mallory@example.org";
    private static final String REFUSED = "-ERR [AUTH] too many failed logins from your address, try later";

    private final TestMail mail = new TestMail();
    private final Map<String, Account> accounts = Map.of(ALICE, mail.account(ALICE, "right"),
            MALLORY, mail.account(MALLORY, "mine"));
    private final Pop3Context context = Pop3Server.builder().store(mail.store()).settings(s -> s.plaintextWithoutTls(true))
            .authenticator(new Cheap()).authThrottle(AuthThrottle.standard()).clock(mail.clock).context();
    private final Pop3Dispatcher dispatcher = new Pop3Dispatcher(dev.mailwright.pop3.command.Pop3Commands.standard(false));
    private int sessions;

    private Pop3Session from(String address) {
        try {
            return from(InetAddress.getByName(address));
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private Pop3Session from(InetAddress address) {
        return new Pop3Session(context, "test-" + ++sessions, new InetSocketAddress(address, 40000), () -> true, () -> false);
    }

    private Pop3Reply send(Pop3Session session, String line) {
        return dispatcher.handle(session, Line.of(line.getBytes(StandardCharsets.UTF_8)));
    }

    private Pop3Reply login(Pop3Session session, String user, String password) {
        send(session, "USER " + user);
        return send(session, "PASS " + password);
    }

    @Test
    void loggingIntoOwnAccountShouldNotWipeFailuresAgainstAnother() {
        int failures = 0;
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 4; i++) {
                Pop3Reply r = login(from("192.0.2.66"), ALICE, "guess" + round + i);
                if (r.statusLine().equals(REFUSED)) {
                    assertThat(failures).isLessThan(40);
                    return;
                }
                failures++;
            }
            assertThat(login(from("192.0.2.66"), MALLORY, "mine").isOk()).isTrue();
        }
        throw new AssertionError("40 wrong passwords for " + ALICE + " and never refused");
    }

    @Test
    void addressesOfOneIpv6Slash64ShouldShareOneRecord() {
        for (int i = 1; i <= 40; i++) {
            Pop3Reply r = login(from("2001:db8:5:6::" + Integer.toHexString(i)), ALICE, "guess" + i);
            if (r.statusLine().equals(REFUSED)) {
                assertThat(i).isLessThanOrEqualTo(6);
                return;
            }
        }
        throw new AssertionError("40 addresses of one /64 and never refused");
    }

    @Test
    void recentOffenderShouldStayRefusedWhenTheTableFills() {
        // the old table was cleared whole on reaching 100,000 addresses
        for (int i = 0; i < 99_990; i++) {
            login(from(ipv4(i)), "user" + i + "@example.org", "wrong");
        }
        int tries = 0;
        while (!login(from("192.0.2.66"), ALICE, "guess").statusLine().equals(REFUSED)) {
            assertThat(++tries).isLessThan(40);
        }
        for (int i = 0; i < 20; i++) {
            login(from(ipv4(100_000 + i)), "more" + i + "@example.org", "wrong");
        }
        assertThat(login(from("192.0.2.66"), ALICE, "right").statusLine()).isEqualTo(REFUSED);
    }

    @Test
    void victimShouldLogInAtOnceFromACleanAddressDuringAnAttack() {
        for (int s = 0; s < 50; s++) {
            while (!login(from(ipv4(s)), ALICE, "guess").statusLine().equals(REFUSED)) {
                // until this address is refused
            }
        }
        Pop3Reply r = login(from("198.51.100.1"), ALICE, "right");
        assertThat(r.isOk()).isTrue();
        assertThat(r.delay()).isZero();
    }

    @Test
    void authPlainShouldCountTowardTheSameRecordAsUserPass() {
        int tries = 0;
        Pop3Reply r;
        do {
            Pop3Session s = from("192.0.2.77");
            String plain = Base64.getEncoder().encodeToString(("\0" + ALICE + "\0guess" + tries)
                    .getBytes(StandardCharsets.UTF_8));
            r = send(s, "AUTH PLAIN " + plain);
            tries++;
        } while (!r.statusLine().equals(REFUSED) && tries < 40);
        assertThat(tries).isLessThanOrEqualTo(6);
        assertThat(login(from("192.0.2.77"), ALICE, "right").statusLine()).isEqualTo(REFUSED);
    }

    private static InetAddress ipv4(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The two accounts, checked without hashing (100,000 logins). */
    private final class Cheap implements Authenticator {
        private final Map<String, String> passwords = Map.of(ALICE, "right", MALLORY, "mine");

        @Override
        public Optional<Account> authenticate(String username, char[] password) {
            return new String(password).equals(passwords.get(username)) ? Optional.of(accounts.get(username))
                    : Optional.empty();
        }

        @Override
        public Optional<ScramCredentials> scramCredentials(String username) {
            return Optional.empty();
        }

        @Override
        public Optional<Account> account(String username) {
            return Optional.ofNullable(accounts.get(username));
        }

        @Override
        public Optional<String> apopSecret(String username) {
            return Optional.empty();
        }
    }
}
