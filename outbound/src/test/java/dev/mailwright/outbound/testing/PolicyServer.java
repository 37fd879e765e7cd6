package dev.mailwright.outbound.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.mailwright.outbound.mtasts.PolicyFetcher;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The {@code mta-sts.<domain>} web servers of the tests: one JDK HttpsServer on a loopback port
 * with a self-signed certificate for {@code localhost}, serving each domain's answer under
 * {@code /<domain>/.well-known/mta-sts.txt}. {@link #fetcher} makes a PolicyFetcher that trusts
 * that certificate and finds the policies here.
 */
public final class PolicyServer implements AutoCloseable {

    /** What the server answers for a domain. */
    public record Answer(int status, String contentType, byte[] body, String location) {
        public static Answer policy(String text) {
            return new Answer(200, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), null);
        }
    }

    private final SelfSignedCertificate certificate;
    private final HttpsServer server;
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final List<Post> posts = new CopyOnWriteArrayList<>();

    /** A POST the server took (TLS reports over HTTPS). */
    public record Post(String path, String contentType, byte[] body) {
    }

    public PolicyServer() throws IOException {
        this(SelfSignedCertificate.generate("localhost"));
    }

    /** A server with this certificate (a certificate for another name makes the fetch fail). */
    public PolicyServer(SelfSignedCertificate certificate) throws IOException {
        this.certificate = certificate;
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(certificate.tlsConfig().context()));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code policy} as text/plain for {@code domain}. */
    public PolicyServer serve(String domain, String policy) {
        return answer(domain, Answer.policy(policy));
    }

    public PolicyServer answer(String domain, Answer answer) {
        answers.put(domain, answer);
        return this;
    }

    /** How many times the policy of {@code domain} was asked for. */
    public int requests(String domain) {
        AtomicInteger n = requests.get(domain);
        return n == null ? 0 : n.get();
    }

    public URI location(String domain) {
        return URI.create("https://localhost:" + server.getAddress().getPort() + "/" + domain + "/.well-known/mta-sts.txt");
    }

    /** A client context trusting this server's certificate and nothing else. */
    public SSLContext trust() {
        return certificate.clientContext();
    }

    /** A fetcher trusting this server's certificate and nothing else. */
    public PolicyFetcher fetcher() {
        return fetcher(certificate.clientContext());
    }

    public PolicyFetcher fetcher(SSLContext trust) {
        return new PolicyFetcher(trust, Duration.ofSeconds(20), this::location);
    }

    /** The POSTs taken so far, answered 200. */
    public List<Post> posts() {
        return List.copyOf(posts);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST")) {
                posts.add(new Post(path, exchange.getRequestHeaders().getFirst("Content-Type"),
                        exchange.getRequestBody().readAllBytes()));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            String domain = path.substring(1, path.indexOf('/', 1) < 0 ? path.length() : path.indexOf('/', 1));
            requests.computeIfAbsent(domain, d -> new AtomicInteger()).incrementAndGet();
            Answer a = answers.get(domain);
            if (a == null || !path.endsWith("/.well-known/mta-sts.txt")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            if (a.contentType() != null) {
                exchange.getResponseHeaders().set("Content-Type", a.contentType());
            }
            if (a.location() != null) {
                exchange.getResponseHeaders().set("Location", a.location());
            }
            exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(a.body());
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
