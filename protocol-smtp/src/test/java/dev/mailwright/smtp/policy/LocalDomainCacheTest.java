package dev.mailwright.smtp.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LocalDomainCacheTest {

    private final Set<String> domains = new HashSet<>(Set.of("example.org"));
    private final AtomicInteger lookups = new AtomicInteger();
    private Instant now = Instant.parse("2026-12-02T08:00:00Z");
    private final Clock clock = new Clock() {
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
    };
    private final LocalDomainCache cache = new LocalDomainCache(d -> {
        lookups.incrementAndGet();
        return domains.contains(d);
    }, Duration.ofSeconds(5), clock);

    @Test
    void oursIsRememberedForTheTtlThenAskedAgain() {
        assertThat(cache.test("example.org")).isTrue();
        assertThat(cache.test("example.org")).isTrue();
        assertThat(lookups).hasValue(1);
        domains.remove("example.org");
        now = now.plusSeconds(4);
        assertThat(cache.test("example.org")).isTrue(); // still within the TTL
        now = now.plusSeconds(2);
        assertThat(cache.test("example.org")).isFalse();
        assertThat(lookups).hasValue(2);
    }

    @Test
    void notOursIsNeverRememberedSoANewDomainIsSeenAtOnce() {
        assertThat(cache.test("new.test")).isFalse();
        domains.add("new.test");
        assertThat(cache.test("new.test")).isTrue();
        assertThat(lookups).hasValue(2);
    }
}
