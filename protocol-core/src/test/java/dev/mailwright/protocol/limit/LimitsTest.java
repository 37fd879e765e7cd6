package dev.mailwright.protocol.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LimitsTest {

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void connectionLimiterShouldEnforceTotalAndPerAddressLimits() throws Exception {
        ConnectionLimiter l = new ConnectionLimiter(3, 2);
        assertThat(l.tryAcquire(ip("10.0.0.1"))).isTrue();
        assertThat(l.tryAcquire(ip("10.0.0.1"))).isTrue();
        assertThat(l.tryAcquire(ip("10.0.0.1"))).isFalse();
        assertThat(l.tryAcquire(ip("10.0.0.2"))).isTrue();
        assertThat(l.tryAcquire(ip("10.0.0.3"))).isFalse();
        l.release(ip("10.0.0.1"));
        assertThat(l.open(ip("10.0.0.1"))).isEqualTo(1);
        assertThat(l.tryAcquire(ip("10.0.0.3"))).isTrue();
        assertThat(l.open()).isEqualTo(3);
    }

    private static final class StepClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void authThrottleDelayShouldDoubleUpToTheCap() throws Exception {
        AuthThrottle t = new AuthThrottle(Duration.ofMillis(500), Duration.ofSeconds(3), 100, Duration.ofMinutes(5),
                new StepClock());
        InetAddress a = ip("10.0.0.1");
        assertThat(t.failed(a)).isEqualTo(Duration.ofMillis(500));
        assertThat(t.failed(a)).isEqualTo(Duration.ofMillis(1000));
        assertThat(t.failed(a)).isEqualTo(Duration.ofMillis(2000));
        assertThat(t.failed(a)).isEqualTo(Duration.ofSeconds(3));
        assertThat(t.failed(a)).isEqualTo(Duration.ofSeconds(3));
        assertThat(t.failed(ip("10.0.0.2"))).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void authThrottleShouldBlockAfterMaxFailuresUntilTheWindowPasses() throws Exception {
        StepClock clock = new StepClock();
        AuthThrottle t = new AuthThrottle(Duration.ZERO, Duration.ZERO, 3, Duration.ofMinutes(5), clock);
        InetAddress a = ip("10.0.0.1");
        t.failed(a);
        t.failed(a);
        assertThat(t.blocked(a)).isFalse();
        t.failed(a);
        assertThat(t.blocked(a)).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(t.blocked(a)).isFalse();
    }

    @Test
    void authThrottleShouldForgetAnAddressAfterASuccess() throws Exception {
        AuthThrottle t = new AuthThrottle(Duration.ofSeconds(1), Duration.ofSeconds(8), 10, Duration.ofMinutes(5),
                new StepClock());
        InetAddress a = ip("10.0.0.1");
        t.failed(a);
        t.failed(a);
        t.succeeded(a);
        assertThat(t.failures(a)).isZero();
        assertThat(t.failed(a)).isEqualTo(Duration.ofSeconds(1));
    }
}
