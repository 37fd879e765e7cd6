package dev.mailwright.protocol.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.store.Account;
import dev.mailwright.store.MutableClock;
import dev.mailwright.password.ScramCredentials;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The throttle against a clock moved by hand: no test here waits. */
class AuthThrottleTest {

    private static final String VICTIM = "victim@example.org";

    private final MutableClock clock = new MutableClock(Instant.parse("2027-01-01T00:00:00Z"));
    private AuthThrottle throttle = new AuthThrottle(AuthThrottle.Settings.of(Duration.ofSeconds(1), 5), clock);

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static InetAddress ipv4(int n) {
        try {
            return InetAddress.getByAddress(new byte[] {10, (byte) (n >> 16), (byte) (n >> 8), (byte) n});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** One wrong guess; the hold, or null when refused. */
    private Duration wrong(InetAddress from, String user) {
        AuthThrottle.Attempt a = throttle.attempt(from);
        if (a.refused() || !a.admit(user)) {
            return null;
        }
        return a.failed();
    }

    /** One right password; the hold, or null when refused. */
    private Duration right(InetAddress from, String user) {
        AuthThrottle.Attempt a = throttle.attempt(from);
        if (a.refused() || !a.admit(user)) {
            return null;
        }
        return a.succeeded();
    }

    @Test
    void holdShouldDoubleWithEachFailureOfTheSourceUpToTheCap() {
        throttle = new AuthThrottle(AuthThrottle.Settings.of(Duration.ofMillis(500), 100), clock);
        InetAddress a = ip("192.0.2.1");
        assertThat(wrong(a, "u1@example.org")).isEqualTo(Duration.ofMillis(500));
        assertThat(wrong(a, "u2@example.org")).isEqualTo(Duration.ofSeconds(1));
        assertThat(wrong(a, "u3@example.org")).isEqualTo(Duration.ofSeconds(2));
        for (int i = 0; i < 10; i++) {
            wrong(a, "other" + i + "@example.org");
        }
        assertThat(wrong(a, "u4@example.org")).isEqualTo(Duration.ofSeconds(8)); // 16 x 500 ms
        assertThat(wrong(ip("192.0.2.2"), "u5@example.org")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void aFailureShouldBeAnsweredTheDelayAfterTheAttemptStartedHoweverLongTheCheckTook() {
        // an unknown user's dummy hash, a quick {PLAIN} one, a 0.6 s bcrypt: the reply leaves at the
        // same moment after the attempt began, so its timing tells no stored scheme (ADR 0029)
        for (long checkMillis : new long[] {0, 13, 600}) {
            AuthThrottle.Attempt a = throttle.attempt(ipv4((int) checkMillis + 1));
            Instant started = clock.instant();
            assertThat(a.admit("user" + checkMillis + "@example.org")).isTrue();
            clock.advance(Duration.ofMillis(checkMillis)); // the check
            Duration hold = a.failed();
            assertThat(clock.instant().plus(hold)).as("check of %d ms", checkMillis)
                    .isEqualTo(started.plusSeconds(1));
        }
    }

    @Test
    void sourceShouldBeRefusedAfterMaxFailuresUntilTheWindowPasses() {
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 5; i++) {
            assertThat(wrong(a, "user" + i + "@example.org")).isNotNull();
        }
        AuthThrottle.Attempt refused = throttle.attempt(a);
        assertThat(refused.refused()).isTrue();
        assertThat(refused.refusal()).contains(AuthThrottle.Refusal.SOURCE);
        assertThat(throttle.refused(a)).isTrue();
        assertThat(throttle.refused(ip("192.0.2.2"))).isFalse();
        clock.advance(Duration.ofMinutes(14));
        assertThat(throttle.refused(a)).isTrue();
        clock.advance(Duration.ofMinutes(2));
        assertThat(throttle.refused(a)).isFalse();
        assertThat(wrong(a, "user@example.org")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void addressesOfOneIpv6Slash64ShouldCountAsOneSource() {
        for (int i = 1; i <= 5; i++) {
            assertThat(wrong(ip("2001:db8:1:2::" + Integer.toHexString(i * 4099)), "u" + i + "@example.org")).isNotNull();
        }
        assertThat(throttle.refused(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))).isTrue();
        assertThat(throttle.refused(ip("2001:db8:1:3::1"))).isFalse();
    }

    @Test
    void ipv4MappedAddressShouldCountAsTheIpv4Address() throws Exception {
        for (int i = 0; i < 5; i++) {
            wrong(ip("192.0.2.7"), "u" + i + "@example.org");
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(ip("192.0.2.7").getAddress(), 0, mapped, 12, 4);
        assertThat(throttle.refused(java.net.Inet6Address.getByAddress(null, mapped, -1))).isTrue();
    }

    @Test
    void refusedAttemptShouldNotReachTheAuthenticator() {
        Counting accounts = new Counting();
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 5; i++) {
            AuthThrottle.Attempt attempt = throttle.attempt(a);
            assertThat(attempt.guard(accounts).authenticate(VICTIM, "guess".toCharArray())).isEmpty();
            attempt.failed();
        }
        assertThat(accounts.checks).isEqualTo(5);
        AuthThrottle.Attempt attempt = throttle.attempt(a);
        assertThat(attempt.guard(accounts).authenticate(VICTIM, "right".toCharArray())).isEmpty();
        assertThat(attempt.guard(accounts).scramCredentials(VICTIM)).isEmpty();
        assertThat(attempt.guard(accounts).apopSecret(VICTIM)).isEmpty();
        assertThat(attempt.refused()).isTrue();
        assertThat(accounts.checks).isEqualTo(5);
    }

    @Test
    void successShouldClearOnlyThatAccountFromThatAddress() {
        InetAddress attacker = ip("192.0.2.66");
        int failures = 0;
        for (int round = 0; round < 10 && failures < 40; round++) {
            for (int i = 0; i < 4; i++) {
                if (wrong(attacker, VICTIM) == null) {
                    break;
                }
                failures++;
            }
            right(attacker, "attacker@example.org"); // their own account, every few guesses
            clock.advance(Duration.ofSeconds(20));
        }
        assertThat(failures).isEqualTo(5);
        assertThat(throttle.refused(attacker)).isTrue();
    }

    @Test
    void successShouldForgetTheUsersOwnTypos() {
        InetAddress home = ip("198.51.100.1");
        wrong(home, VICTIM);
        wrong(home, "Victim@Example.org"); // one account whatever the case
        clock.advance(Duration.ofSeconds(10));
        assertThat(right(home, VICTIM)).isZero();
        assertThat(wrong(home, "someone@example.org")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void victimShouldLogInAtOnceFromACleanAddressDuringAnAttack() {
        // 200 sources guess at the victim as fast as they are let: every source and the account are hot
        for (int second = 0; second < 120; second++) {
            for (int s = 0; s < 200; s++) {
                wrong(ipv4(s), VICTIM);
            }
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(throttle.refused(ipv4(0))).isTrue();
        AuthThrottle.Attempt real = throttle.attempt(ip("198.51.100.1"));
        assertThat(real.refused()).isFalse();
        assertThat(real.admit(VICTIM)).isTrue();
        assertThat(real.succeeded()).isZero();
    }

    @Test
    void anAccountShouldTakeAtMostOneWrongGuessPerSecondFromAnySetOfFailingSources() {
        // 3000 sources, each with one failure elsewhere, take turns guessing at the victim every 10 ms for 60 s
        throttle = new AuthThrottle(AuthThrottle.Settings.of(Duration.ofSeconds(1), 5), clock);
        int sources = 3000;
        for (int s = 0; s < sources; s++) {
            wrong(ipv4(s), "decoy" + s + "@example.org");
        }
        clock.advance(Duration.ofMinutes(1));
        int checked = 0;
        Instant lastAnswer = Instant.MIN;
        for (int tick = 0; tick < 6000; tick++) {
            AuthThrottle.Attempt a = throttle.attempt(ipv4(tick % sources));
            if (!a.refused() && a.admit(VICTIM)) {
                checked++;
                Instant answer = clock.instant().plus(a.failed());
                lastAnswer = answer.isAfter(lastAnswer) ? answer : lastAnswer;
            }
            clock.advance(Duration.ofMillis(10));
        }
        // the first three cost nothing, then 1 s, 2 s, 4 s ... apart; the answers end within the 16 s reservable
        assertThat(checked).isBetween(4, 3 + 60);
        assertThat(lastAnswer).isBefore(clock.instant().plus(Duration.ofSeconds(17)));
    }

    @Test
    void attemptFromAFailingSourceShouldWaitForTheCoolingAccountsSlotWhateverTheOutcome() {
        InetAddress attacker = ip("192.0.2.66");
        for (int i = 0; i < 3; i++) {
            wrong(ip("203.0.113." + i), VICTIM); // the account cools down: next slot in 1 s
        }
        wrong(attacker, "decoy@example.org");
        clock.advance(Duration.ofSeconds(2)); // the attacker's own hold passed
        AuthThrottle.Attempt first = throttle.attempt(attacker);
        assertThat(first.admit(VICTIM)).isTrue();
        assertThat(first.succeeded()).isZero(); // the slot is now
        AuthThrottle.Attempt second = throttle.attempt(attacker);
        assertThat(second.admit(VICTIM)).isTrue();
        assertThat(second.succeeded()).isEqualTo(Duration.ofSeconds(1)); // a right guess waits like a wrong one
    }

    @Test
    void failingSourceShouldBeRefusedWhenTheAccountsNextSlotIsTooFarAhead() {
        for (int i = 0; i < 8; i++) {
            wrong(ip("203.0.113." + i), VICTIM); // spacing is now 16 s
        }
        InetAddress dirty1 = ip("192.0.2.1");
        InetAddress dirty2 = ip("192.0.2.2");
        wrong(dirty1, "decoy@example.org");
        wrong(dirty2, "decoy@example.org");
        AuthThrottle.Attempt first = throttle.attempt(dirty1);
        assertThat(first.admit(VICTIM)).isTrue();
        AuthThrottle.Attempt second = throttle.attempt(dirty2);
        assertThat(second.admit(VICTIM)).isFalse();
        assertThat(second.refusal()).contains(AuthThrottle.Refusal.ACCOUNT);
        assertThat(throttle.refused(dirty2)).isFalse(); // the source itself is not refused
        AuthThrottle.Attempt clean = throttle.attempt(ip("198.51.100.1"));
        assertThat(clean.admit(VICTIM)).isTrue();
    }

    @Test
    void twelveWrongGuessesFromOneAddressShouldTakeSixSecondsOrBeRefusedBeforeTheTwelfth() {
        for (int maxFailures : new int[] {5, 11, 100}) {
            throttle = new AuthThrottle(AuthThrottle.Settings.of(Duration.ofSeconds(1), maxFailures), clock);
            InetAddress a = ip("192.0.2." + maxFailures);
            Duration total = Duration.ZERO;
            int answered = 0;
            for (int i = 0; i < 12; i++) {
                Duration hold = wrong(a, VICTIM);
                if (hold == null) {
                    break;
                }
                answered++;
                total = total.plus(hold);
                clock.advance(hold); // a client that waits for each answer, on a fresh connection
            }
            assertThat(answered < 12 || total.compareTo(Duration.ofSeconds(6)) >= 0)
                    .as("max %d: %d answered in %s", maxFailures, answered, total).isTrue();
            clock.advance(Duration.ofHours(1));
        }
    }

    @Test
    void tablesShouldStayBoundedUnder200kDistinctAddresses() {
        throttle = new AuthThrottle(new AuthThrottle.Settings(Duration.ofSeconds(1), Duration.ofSeconds(16), 5,
                Duration.ofMinutes(15), 3, 10_000), clock);
        for (int i = 0; i < 200_000; i++) {
            wrong(ipv4(i), "user" + (i % 50_000) + "@example.org");
        }
        assertThat(java.util.Arrays.stream(throttle.tracked()).max().orElseThrow()).isLessThanOrEqualTo(10_000);
        // the most recent records are the ones kept
        InetAddress recent = ipv4(199_999);
        for (int i = 0; i < 4; i++) {
            wrong(recent, VICTIM);
        }
        assertThat(throttle.refused(recent)).isTrue();
    }

    @Test
    void disabledThrottleShouldNeverHoldOrRefuse() {
        throttle = AuthThrottle.disabled();
        for (int i = 0; i < 1000; i++) {
            assertThat(wrong(ip("192.0.2.1"), VICTIM)).isZero();
        }
        assertThat(right(ip("192.0.2.1"), VICTIM)).isZero();
    }

    private static final class Counting implements Authenticator {
        int checks;

        @Override
        public Optional<Account> authenticate(String username, char[] password) {
            checks++;
            return Optional.empty();
        }

        @Override
        public Optional<ScramCredentials> scramCredentials(String username) {
            checks++;
            return Optional.empty();
        }

        @Override
        public Optional<Account> account(String username) {
            return Optional.empty();
        }

        @Override
        public Optional<String> apopSecret(String username) {
            checks++;
            return Optional.empty();
        }
    }
}
