package dev.mailwright.server.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations HTTP port: {@code /metrics} (Prometheus text), {@code /healthz} (the process
 * is alive) and {@code /readyz} (every readiness check passes: database reachable, listeners
 * bound). Uses the JDK's built-in HTTP server; it serves three tiny documents and needs no more.
 */
public final class OpsHttpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OpsHttpServer.class);

    /** One condition for readiness; returns null when fine, else what is wrong. */
    @FunctionalInterface
    public interface ReadinessCheck {
        String problem();
    }

    private final HttpServer http;
    private final ExecutorService executor;

    private OpsHttpServer(HttpServer http, ExecutorService executor) {
        this.http = http;
        this.executor = executor;
    }

    public static OpsHttpServer start(String address, int port, PrometheusMeterRegistry registry,
                                      List<ReadinessCheck> checks) throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 16);
        ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "ops-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
                registry.scrape()));
        http.createContext("/healthz", ex -> respond(ex, 200, "text/plain; charset=utf-8", "ok\n"));
        http.createContext("/readyz", ex -> {
            List<String> problems = new ArrayList<>();
            for (ReadinessCheck c : checks) {
                try {
                    String p = c.problem();
                    if (p != null) {
                        problems.add(p);
                    }
                } catch (RuntimeException e) {
                    problems.add(e.getClass().getSimpleName());
                }
            }
            if (problems.isEmpty()) {
                respond(ex, 200, "text/plain; charset=utf-8", "ready\n");
            } else {
                respond(ex, 503, "text/plain; charset=utf-8", "not ready: " + String.join("; ", problems) + "\n");
            }
        });
        http.start();
        return new OpsHttpServer(http, executor);
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private static void respond(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(status, -1);
                return;
            }
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            LOG.debug("ops http client went away", e);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
