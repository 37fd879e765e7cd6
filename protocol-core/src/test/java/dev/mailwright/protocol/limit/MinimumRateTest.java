package dev.mailwright.protocol.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MinimumRateTest {

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final MinimumRate rate = new MinimumRate(500, Duration.ofSeconds(60), now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void contentTrickledAtOneOctetEveryFiveSecondsShouldBeTooSlowOnceTheGraceIsOver() {
        rate.start();
        boolean slow = false;
        int seconds = 0;
        while (!slow && seconds < 3600) {
            rate.received(1);
            advance(Duration.ofSeconds(5));
            seconds += 5;
            slow = rate.tooSlow();
        }
        assertThat(slow).isTrue();
        assertThat(seconds).isBetween(60, 70);
    }

    @Test
    void contentWithinTheGraceShouldNeverBeTooSlow() {
        rate.start();
        advance(Duration.ofSeconds(59));
        assertThat(rate.tooSlow()).isFalse();
    }

    @Test
    void octetsSentEarlyShouldPayForALaterStall() {
        rate.start();
        rate.received(100_000); // 200 s of credit at 500 octets/s
        advance(Duration.ofSeconds(250));
        assertThat(rate.tooSlow()).isFalse();
        advance(Duration.ofSeconds(20));
        assertThat(rate.tooSlow()).isTrue();
    }

    @Test
    void clientAtTheMinimumRateShouldPassForAnyLength() {
        rate.start();
        for (int i = 0; i < 10_000; i++) {
            advance(Duration.ofSeconds(1));
            rate.received(500);
            assertThat(rate.tooSlow()).isFalse();
        }
    }

    @Test
    void stoppedOrDisabledShouldNeverBeTooSlow() {
        rate.start();
        rate.stop();
        advance(Duration.ofHours(1));
        assertThat(rate.tooSlow()).isFalse();

        MinimumRate off = new MinimumRate(0, Duration.ZERO, now::get);
        off.start();
        advance(Duration.ofHours(1));
        assertThat(off.tooSlow()).isFalse();
    }

    @Test
    void startWhileRunningShouldKeepTheFirstStart() {
        rate.start();
        advance(Duration.ofSeconds(100));
        rate.start(); // the next BDAT chunk of the same message
        assertThat(rate.tooSlow()).isTrue();
    }
}
