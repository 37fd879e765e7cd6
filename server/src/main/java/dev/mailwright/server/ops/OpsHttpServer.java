package dev.mailwright.server.ops;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The operations HTTP port: {@code /metrics} (Prometheus text), {@code /healthz} (the process
 * is alive) and {@code /readyz} (every readiness check passes: database reachable, listeners
 * bound). On Jetty: requests are parsed without holding a thread, so clients that send half a
 * request and stall (or many connections at once) cannot keep a probe from being answered; a
 * connection silent for {@link #IDLE_TIMEOUT_MILLIS} is closed, and at most
 * {@link #MAX_CONNECTIONS} are open at once. The JDK's built-in server it replaces parsed on its
 * two worker threads, which two half-sent requests kept busy.
 */
public final class OpsHttpServer implements AutoCloseable {

    /** A connection that sends nothing for this long (half a request included) is closed. */
    static final long IDLE_TIMEOUT_MILLIS = 10_000;
    /** Open connections at most; more wait in the backlog. */
    static final int MAX_CONNECTIONS = 64;

    /** One condition for readiness; returns null when fine, else what is wrong. */
    @FunctionalInterface
    public interface ReadinessCheck {
        String problem();
    }

    private final Server server;
    private final ServerConnector connector;

    private OpsHttpServer(Server server, ServerConnector connector) {
        this.server = server;
        this.connector = connector;
    }

    public static OpsHttpServer start(String address, int port, PrometheusMeterRegistry registry,
                                      List<ReadinessCheck> checks) throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(8, 2);
        threads.setName("ops-http");
        threads.setDaemon(true);
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(8 * 1024);
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(address);
        connector.setPort(port);
        connector.setIdleTimeout(IDLE_TIMEOUT_MILLIS);
        connector.setAcceptQueueSize(16);
        server.addConnector(connector);
        server.addBean(new NetworkConnectionLimit(MAX_CONNECTIONS, connector));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                String method = request.getMethod();
                if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
                    response.setStatus(405);
                    response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
                    callback.succeeded();
                    return true;
                }
                switch (Request.getPathInContext(request)) {
                    case "/metrics" -> respond(request, response, callback, 200,
                            "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
                    case "/healthz" -> respond(request, response, callback, 200, "text/plain; charset=utf-8", "ok\n");
                    case "/readyz" -> {
                        List<String> problems = problems(checks);
                        if (problems.isEmpty()) {
                            respond(request, response, callback, 200, "text/plain; charset=utf-8", "ready\n");
                        } else {
                            respond(request, response, callback, 503, "text/plain; charset=utf-8",
                                    "not ready: " + String.join("; ", problems) + "\n");
                        }
                    }
                    default -> respond(request, response, callback, 404, "text/plain; charset=utf-8", "not found\n");
                }
                return true;
            }
        });
        try {
            server.start();
        } catch (IOException e) {
            stop(server);
            throw e;
        } catch (Exception e) {
            stop(server);
            throw new IOException("cannot start the ops HTTP server: " + e.getMessage(), e);
        }
        return new OpsHttpServer(server, connector);
    }

    private static List<String> problems(List<ReadinessCheck> checks) {
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
        return problems;
    }

    private static void respond(Request request, Response response, Callback callback, int status, String type,
                                String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        if (HttpMethod.HEAD.is(request.getMethod())) {
            response.write(true, null, callback);
        } else {
            response.write(true, ByteBuffer.wrap(bytes), callback);
        }
    }

    public int port() {
        return connector.getLocalPort();
    }

    private static void stop(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping what did not start: nothing left to do
        }
    }

    @Override
    public void close() {
        stop(server);
    }
}
