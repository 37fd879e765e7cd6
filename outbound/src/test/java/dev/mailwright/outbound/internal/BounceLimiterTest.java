package dev.mailwright.outbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.outbound.OutboundConfig.BounceLimits;
import dev.mailwright.outbound.internal.BounceLimiter.Verdict;
import dev.mailwright.store.Address;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BounceLimiterTest {

    private static final Instant T0 = Instant.parse("2026-12-07T10:00:00Z");

    private static Address a(String text) {
        return Address.parse(text);
    }

    @Test
    void senderLimitCountsTheAddressWhateverItsCase() {
        BounceLimiter limiter = new BounceLimiter(new BounceLimits(2, 10, 10, Duration.ofHours(1)));

        assertThat(limiter.admit(a("victim@elsewhere.test"), T0)).isEqualTo(Verdict.ALLOWED);
        assertThat(limiter.admit(a("Victim@ELSEWHERE.test"), T0)).isEqualTo(Verdict.ALLOWED);
        assertThat(limiter.admit(a("victim@elsewhere.test"), T0)).isEqualTo(Verdict.OVER_SENDER);
        assertThat(limiter.admit(a("other@elsewhere.test"), T0)).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void domainLimitCoversEveryAddressOfTheDomain() {
        BounceLimiter limiter = new BounceLimiter(new BounceLimits(10, 3, 10, Duration.ofHours(1)));

        for (int i = 0; i < 3; i++) {
            assertThat(limiter.admit(a("user" + i + "@elsewhere.test"), T0)).isEqualTo(Verdict.ALLOWED);
        }
        assertThat(limiter.admit(a("user9@elsewhere.test"), T0)).isEqualTo(Verdict.OVER_SENDER_DOMAIN);
        assertThat(limiter.admit(a("user9@third.test"), T0)).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void totalLimitCoversEverySender() {
        BounceLimiter limiter = new BounceLimiter(new BounceLimits(10, 10, 2, Duration.ofHours(1)));

        assertThat(limiter.admit(a("a@one.test"), T0)).isEqualTo(Verdict.ALLOWED);
        assertThat(limiter.admit(a("b@two.test"), T0)).isEqualTo(Verdict.ALLOWED);
        assertThat(limiter.admit(a("c@three.test"), T0)).isEqualTo(Verdict.OVER_TOTAL);
    }

    @Test
    void refusedDsnsDoNotCount() {
        BounceLimiter limiter = new BounceLimiter(new BounceLimits(1, 10, 2, Duration.ofHours(1)));

        limiter.admit(a("a@one.test"), T0);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.admit(a("a@one.test"), T0)).isEqualTo(Verdict.OVER_SENDER);
        }
        assertThat(limiter.admit(a("b@one.test"), T0)).as("the total counts sent DSNs only").isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void countsStartAgainWhenTheWindowEnds() {
        BounceLimiter limiter = new BounceLimiter(new BounceLimits(1, 1, 1, Duration.ofHours(1)));

        assertThat(limiter.admit(a("a@one.test"), T0)).isEqualTo(Verdict.ALLOWED);
        assertThat(limiter.admit(a("a@one.test"), T0.plus(Duration.ofMinutes(59)))).isEqualTo(Verdict.OVER_TOTAL);
        assertThat(limiter.admit(a("a@one.test"), T0.plus(Duration.ofHours(1)))).isEqualTo(Verdict.ALLOWED);
    }

    @Test
    void zeroMeansNoDsnsForUnauthenticatedMail() {
        BounceLimiter limiter = new BounceLimiter(new BounceLimits(0, 0, 0, Duration.ofHours(1)));

        assertThat(limiter.admit(a("a@one.test"), T0)).isEqualTo(Verdict.OVER_TOTAL);
    }

    @Test
    void sendersCountedPerWindowAreBounded() {
        BounceLimiter limiter = new BounceLimiter(new BounceLimits(5, 5, Integer.MAX_VALUE, Duration.ofHours(1)));

        for (int i = 0; i < BounceLimiter.MAX_KEYS / 2; i++) {
            assertThat(limiter.admit(a("u@d" + i + ".test"), T0)).isEqualTo(Verdict.ALLOWED);
        }
        assertThat(limiter.admit(a("new@fresh.test"), T0)).isEqualTo(Verdict.OVER_TOTAL);
        assertThat(limiter.admit(a("u@d0.test"), T0)).as("a sender already counted").isEqualTo(Verdict.ALLOWED);
    }
}
