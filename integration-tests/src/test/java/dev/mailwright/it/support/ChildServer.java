package dev.mailwright.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.server.config.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real launcher ({@code ./mailwright serve}, which {@code exec}s the jar the server module
 * built) as a child process, for tests about processes: a {@code kill -9}, a second node.
 * Every listener gets a free port chosen here, since the child's port-0 choices are not visible.
 */
public final class ChildServer implements AutoCloseable {

    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private final Process process;
    private final Map<String, Integer> ports;
    private final Path log;

    private ChildServer(Process process, Map<String, Integer> ports, Path log) {
        this.process = process;
        this.ports = ports;
        this.log = log;
    }

    /**
     * A port free now, below Linux's ephemeral range (32768-60999): a port the kernel hands out for
     * {@code bind(0)} can be taken, before the child binds it, by an outgoing connection of the
     * child itself (its PostgreSQL client, DNS); that failed CI once with "address already in use".
     */
    public static int freePort() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port));
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port between 20000 and 32000"));
    }

    /**
     * Starts {@code ./mailwright serve} with {@code env} (listener ports are replaced by free
     * ones) and waits until {@code /readyz} answers 200. Output goes to {@code log}.
     */
    public static ChildServer start(Map<String, String> env, Path log) throws Exception {
        Path jar = ROOT.resolve("server/target/mailwright.jar");
        assertThat(jar).as("the server module builds the launcher jar before this module's tests").exists();
        Map<String, Integer> ports = new HashMap<>();
        Map<String, String> childEnv = new HashMap<>(env);
        for (String l : ServerConfig.LISTENER_NAMES) {
            ports.put(l, freePort());
            childEnv.put("MAILWRIGHT_LISTENERS_" + l.toUpperCase() + "_PORT", String.valueOf(ports.get(l)));
        }
        childEnv.putIfAbsent("JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("mailwright").toString(), "serve"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(childEnv);
        ChildServer child = new ChildServer(pb.start(), ports, log);
        try {
            child.awaitReady();
        } catch (Exception | AssertionError e) {
            child.kill9();
            throw e;
        }
        return child;
    }

    private void awaitReady() throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        URI readyz = URI.create("http://127.0.0.1:" + ports.get("metrics") + "/readyz");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("server exited early (" + process.exitValue() + "): " + log());
            }
            try {
                if (http.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            process.waitFor(200, TimeUnit.MILLISECONDS); // polling interval
        }
        throw new AssertionError("server not ready within 2 minutes: " + log());
    }

    public Map<String, Integer> ports() {
        return ports;
    }

    public long pid() {
        return process.pid();
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown hook, no graceful stop, nothing flushed that was not already committed. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("killed server exits").isTrue();
    }

    /** SIGTERM and wait; SIGKILL if it does not stop in time. Returns the exit code. */
    public int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
    }
}
