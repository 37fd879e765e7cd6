package dev.mailwright.smtp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.SessionInfo;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RateLimitPolicyTest {

    private static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-22T08:00:00Z");

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

    private static SessionInfo from(String ip) {
        return new SessionInfo() {
            public String sessionId() {
                return "t";
            }

            public InetSocketAddress clientAddress() {
                return new InetSocketAddress(ip, 1);
            }

            public Optional<String> heloName() {
                return Optional.empty();
            }

            public boolean extended() {
                return true;
            }

            public Optional<String> tlsProtocol() {
                return Optional.empty();
            }

            public Optional<String> tlsCipher() {
                return Optional.empty();
            }

            public Optional<String> authenticatedUser() {
                return Optional.empty();
            }
        };
    }

    @Test
    void connectionsOverTheRateShouldBeTempFailedPerAddressAndRecover() {
        MovableClock clock = new MovableClock();
        RateLimitPolicy p = new RateLimitPolicy(2, 0, Duration.ofMinutes(1), clock);
        assertThat(p.connect(from("192.0.2.1")).refuses()).isFalse();
        assertThat(p.connect(from("192.0.2.1")).refuses()).isFalse();
        PolicyResult third = p.connect(from("192.0.2.1"));
        assertThat(third.kind()).isEqualTo(PolicyResult.Kind.TEMP_FAIL);
        assertThat(third.reply().code()).isEqualTo(421);
        assertThat(p.connect(from("192.0.2.2")).refuses()).isFalse();
        clock.now = clock.now.plusSeconds(30);
        assertThat(p.connect(from("192.0.2.1")).refuses()).isFalse();
        assertThat(p.mail(from("192.0.2.1"), MailFrom.of(Optional.empty())).refuses()).isFalse();
    }

    @Test
    void messagesOverTheRateShouldGet450() {
        RateLimitPolicy p = new RateLimitPolicy(0, 1, Duration.ofMinutes(1), new MovableClock());
        assertThat(p.mail(from("192.0.2.1"), MailFrom.of(Optional.empty())).refuses()).isFalse();
        assertThat(p.mail(from("192.0.2.1"), MailFrom.of(Optional.empty())).reply().code()).isEqualTo(450);
    }
}
