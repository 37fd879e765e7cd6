package dev.mailwright.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class MicrometerProtocolMetricsTest {

    @Test
    void sessionsCutOffShouldBeCountedByProtocolAndDeadline() {
        PrometheusMeterRegistry registry = Metrics.newRegistry();
        MicrometerProtocolMetrics metrics = new MicrometerProtocolMetrics(registry);
        metrics.timedOut("smtp", "data-rate");
        metrics.timedOut("smtp", "data-rate");
        metrics.timedOut("pop3", "pre-auth");
        String scrape = registry.scrape();
        assertThat(scrape).contains("mailwright_sessions_timed_out_total{application=\"mailwright\",deadline=\"data-rate\",protocol=\"smtp\"} 2.0");
        assertThat(scrape).contains("mailwright_sessions_timed_out_total{application=\"mailwright\",deadline=\"pre-auth\",protocol=\"pop3\"} 1.0");
    }
}
