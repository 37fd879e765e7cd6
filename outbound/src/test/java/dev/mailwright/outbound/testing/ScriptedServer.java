package dev.mailwright.outbound.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A small SMTP server with scripted answers, for what a well-behaved server never does: 4xx
 * and 5xx replies, dropped connections, stalls. One thread per connection; STARTTLS is broken on
 * purpose unless the script gives a TLS context.
 */
public final class ScriptedServer implements AutoCloseable {

    /** What the server does with one connection. */
    public interface Script {
        /** The reply to RCPT TO for this address, on this connection (numbered from 1). */
        String rcpt(int connection, String address);

        /** The reply after the final dot. */
        default String endOfData(int connection) {
            return "250 2.0.0 queued";
        }

        /** Whether to close the socket right after the greeting. */
        default boolean dropAfterGreeting(int connection) {
            return false;
        }

        /** Whether to close the connection after the reply to the final dot (a server's idle timeout, early). */
        default boolean closeAfterData(int connection) {
            return false;
        }

        /** Whether to stop answering after the greeting (a stall). */
        default boolean stall(int connection) {
            return false;
        }

        /** The server's TLS context for a STARTTLS that works; null: STARTTLS answers garbage. */
        default javax.net.ssl.SSLContext tls() {
            return null;
        }

        /** The EHLO keywords besides the greeting line. */
        default List<String> extensions() {
            return List.of("PIPELINING", "8BITMIME", "SIZE 10000000");
        }
    }

    /** A script that answers every RCPT with one reply function. */
    public static Script rcpt(Function<Integer, String> reply) {
        return (connection, address) -> reply.apply(connection);
    }

    /**
     * A script that answers RCPT by how often this address was offered before (1 for the first
     * time), whatever the connection: the worker reuses connections, so attempts are not connections.
     */
    public static Script byAttempt(java.util.function.BiFunction<Integer, String, String> reply) {
        java.util.Map<String, AtomicInteger> seen = new java.util.concurrent.ConcurrentHashMap<>();
        return (connection, address) -> reply.apply(
                seen.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet(), address);
    }

    private final ServerSocket socket;
    private final Script script;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger maxActive = new AtomicInteger();
    private final Object activity = new Object();
    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final CountDownLatch connected = new CountDownLatch(1);
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public ScriptedServer(Script script) throws IOException {
        this.script = script;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "scripted-smtp");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    public int connections() {
        return connections.get();
    }

    /** The most connections that were open at the same time. */
    public int maxSimultaneousConnections() {
        return maxActive.get();
    }

    /** Waits until {@code n} connections were open at once, at most {@code timeout}; whether they were. */
    public boolean awaitSimultaneous(int n, java.time.Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (activity) {
            while (maxActive.get() < n) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                activity.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Waits for the first connection, at most {@code timeout}; whether it came. */
    public boolean awaitConnection(java.time.Duration timeout) throws InterruptedException {
        return connected.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The content of each accepted message (DATA, unstuffed, without the final dot). */
    public List<String> messages() {
        return List.copyOf(messages);
    }

    /** Every command line received, in order. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                open.add(s);
                int n = connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s, n), "scripted-smtp-" + n);
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s, int n) {
        synchronized (activity) {
            maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
            activity.notifyAll();
        }
        try (s) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            reply(out, "220 scripted.test ESMTP");
            connected.countDown();
            if (script.dropAfterGreeting(n)) {
                return;
            }
            if (script.stall(n)) {
                while (in.readLine() != null) {
                    // read and never answer
                }
                return;
            }
            String line;
            boolean mailOk = false;
            int accepted = 0;
            while ((line = in.readLine()) != null) {
                commands.add(line);
                String upper = line.toUpperCase(java.util.Locale.ROOT);
                if (upper.startsWith("EHLO")) {
                    List<String> lines = new ArrayList<>();
                    lines.add("scripted.test");
                    lines.addAll(script.extensions());
                    for (int i = 0; i < lines.size(); i++) {
                        reply(out, "250" + (i == lines.size() - 1 ? " " : "-") + lines.get(i));
                    }
                } else if (upper.startsWith("HELO")) {
                    reply(out, "250 scripted.test");
                } else if (upper.startsWith("MAIL FROM:")) {
                    mailOk = true;
                    accepted = 0;
                    reply(out, "250 2.1.0 ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    String addr = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                    String r = script.rcpt(n, addr);
                    if (r.startsWith("2")) {
                        accepted++;
                    }
                    reply(out, r);
                } else if (upper.equals("DATA")) {
                    if (!mailOk || accepted == 0) {
                        reply(out, "554 5.5.1 no valid recipients");
                        continue;
                    }
                    reply(out, "354 go ahead");
                    StringBuilder data = new StringBuilder();
                    String d;
                    while ((d = in.readLine()) != null && !d.equals(".")) {
                        data.append(d.startsWith(".") ? d.substring(1) : d).append("\r\n");
                    }
                    String end = script.endOfData(n);
                    if (end.startsWith("2")) {
                        messages.add(data.toString());
                    }
                    reply(out, end);
                    if (script.closeAfterData(n)) {
                        return;
                    }
                } else if (upper.equals("STARTTLS") && script.tls() != null) {
                    reply(out, "220 2.0.0 ready to start TLS");
                    javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) script.tls().getSocketFactory()
                            .createSocket(s, null, s.getPort(), true);
                    tls.setUseClientMode(false);
                    tls.startHandshake();
                    in = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));
                    out = tls.getOutputStream();
                } else if (upper.equals("STARTTLS")) {
                    reply(out, "220 2.0.0 ready to start TLS");
                    out.write("this is not a TLS handshake\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return; // broken TLS: the client should come back without it
                } else if (upper.equals("RSET")) {
                    mailOk = false;
                    reply(out, "250 2.0.0 ok");
                } else if (upper.equals("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 not implemented");
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            active.decrementAndGet();
        }
    }

    private static void reply(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : open) {
            s.close();
        }
    }
}
