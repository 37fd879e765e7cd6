package dev.mailwright.server.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OpsHttpServerTest {

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsHealthAndReadinessAreServed() throws Exception {
        PrometheusMeterRegistry registry = Metrics.newRegistry();
        registry.counter("mailwright.test.events").increment(3);
        AtomicReference<String> dbProblem = new AtomicReference<>("database unreachable");
        try (OpsHttpServer ops = OpsHttpServer.start("127.0.0.1", 0, registry, List.of(dbProblem::get))) {
            HttpResponse<String> metrics = get(ops.port(), "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("mailwright_test_events_total").contains("jvm_memory_used_bytes");
            assertThat(get(ops.port(), "/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> notReady = get(ops.port(), "/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.body()).contains("database unreachable");
            dbProblem.set(null);
            assertThat(get(ops.port(), "/readyz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void clientsThatSendHalfARequestAndStallCannotKeepProbesFromBeingAnswered() throws Exception {
        List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try (OpsHttpServer ops = OpsHttpServer.start("127.0.0.1", 0, Metrics.newRegistry(), List.of())) {
            for (int i = 0; i < 10; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", ops.port());
                s.getOutputStream().write("GET /readyz HTTP/1.1\r\nHost: probe\r\n".getBytes());
                s.getOutputStream().flush();
                stalled.add(s);
            }
            HttpClient client = HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(5)).build();
            HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port()
                    + "/readyz")).timeout(java.time.Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
            HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ops.port()
                    + "/readyz")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(get(ops.port(), "/nothing").statusCode()).isEqualTo(404);
        } finally {
            for (java.net.Socket s : stalled) {
                s.close();
            }
        }
    }
}
