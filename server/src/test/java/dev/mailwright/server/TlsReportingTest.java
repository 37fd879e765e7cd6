package dev.mailwright.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.outbound.MapTxtResolver;
import dev.mailwright.outbound.tlsrpt.TlsReportCounter;
import dev.mailwright.outbound.tlsrpt.TlsReportSender;
import dev.mailwright.outbound.tlsrpt.TlsResults;
import dev.mailwright.store.Address;
import dev.mailwright.store.memory.InMemoryMailStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;

/** The node's TLS reporting rounds: counts flushed every round, the day's reports sent once, after midnight's grace. */
class TlsReportingTest {

    /** A clock the test moves. */
    private static final class MovingClock extends java.time.Clock {
        private volatile Instant now;

        MovingClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public java.time.Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    @Test
    void countsAreStoredEachRoundAndYesterdaysReportGoesOutOnceAfterTheGrace() throws Exception {
        MovingClock clock = new MovingClock(Instant.parse("2026-12-06T18:00:00Z"));
        InMemoryMailStore store = new InMemoryMailStore();
        MapTxtResolver dns = new MapTxtResolver().add("_smtp._tls.remote.test", "v=TLSRPTv1; rua=mailto:r@reports.test");
        TlsReportCounter counter = new TlsReportCounter(clock);
        TlsReportSender sender = new TlsReportSender(store, dns, new TlsReportSender.Settings("out.example.org",
                "out.example.org", Address.parse("postmaster@out.example.org"), Duration.ofSeconds(5)),
                SSLContext.getDefault(), clock);
        TlsReporting reporting = new TlsReporting(counter, sender, store.tlsReports(), clock);

        counter.record(TlsResults.Result.success("remote.test", Optional.empty(), "mx.remote.test"));
        reporting.tick();
        assertThat(store.tlsReports().counts(LocalDate.parse("2026-12-06"), "remote.test")).hasSize(1);
        assertThat(store.queue().list()).as("the day is not over").isEmpty();

        clock.advance(Duration.ofHours(6).plusMinutes(2)); // 00:02: other nodes may still add counts
        reporting.tick();
        assertThat(store.queue().list()).isEmpty();

        clock.advance(Duration.ofMinutes(4)); // 00:06
        reporting.tick();
        reporting.tick();
        assertThat(store.queue().list()).singleElement()
                .satisfies(q -> assertThat(q.recipient().address().toString()).isEqualTo("r@reports.test"));
    }
}
