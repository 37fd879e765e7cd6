package dev.mailwright.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailwright.outbound.OutboundMetrics;
import dev.mailwright.store.memory.InMemoryMailStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** deploy/grafana/mailwright-dashboard.json asks only for metrics the server exports. */
class DashboardMetricsTest {

    private static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "mailwright-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:mailwright|jvm|process)_[a-z0-9_]+)\\b");

    @Test
    void everyMetricTheDashboardQueriesIsExported() throws Exception {
        Set<String> exported = exported();
        Set<String> queried = new TreeSet<>();
        JsonNode dashboard = new ObjectMapper().readTree(Files.readString(DASHBOARD));
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    queried.add(m.group(1));
                }
            }
        }
        Matcher m = METRIC.matcher(dashboard.path("templating").toString());
        while (m.find()) {
            queried.add(m.group(1));
        }
        assertThat(queried).isNotEmpty();
        assertThat(exported).containsAll(queried);
        // what issue 20 asks the dashboard to show
        assertThat(queried).contains("mailwright_connections_total", "mailwright_sessions_active",
                "mailwright_messages_accepted_total", "mailwright_messages_rejected_total",
                "mailwright_delivery_seconds_sum", "mailwright_outbound_delivery_latency_seconds_sum",
                "mailwright_queue_depth", "mailwright_auth_total", "mailwright_store_errors_total",
                "mailwright_sessions_timed_out_total");
    }

    /** The names in a scrape of the server's registry after each kind of event happened once. */
    private static Set<String> exported() {
        PrometheusMeterRegistry registry = Metrics.newRegistry();
        MicrometerProtocolMetrics protocol = new MicrometerProtocolMetrics(registry);
        protocol.connectionOpened("smtp");
        protocol.connectionClosed("smtp", Duration.ofSeconds(1));
        protocol.command("smtp", "RCPT", false);
        protocol.authentication("submission", false);
        protocol.messageAccepted("smtp", 1000, 2, Duration.ofMillis(5));
        protocol.messageRejected("smtp", "relay");
        protocol.messageRetrieved("pop3", 1000);
        protocol.storeError("pop3");
        protocol.timedOut("smtp", "pre-auth");
        MicrometerOutboundMetrics outbound = new MicrometerOutboundMetrics(registry);
        for (OutboundMetrics.Result r : OutboundMetrics.Result.values()) {
            outbound.attempt(r);
        }
        outbound.delivered(Duration.ofSeconds(3));
        outbound.dsnSent("failed");
        outbound.connected(true);
        outbound.connectionReused();
        Metrics.bindStore(registry, new InMemoryMailStore());
        Set<String> names = new TreeSet<>();
        for (String line : registry.scrape().split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }
}
