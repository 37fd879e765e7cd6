package dev.mailwright.protocol.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
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
}
