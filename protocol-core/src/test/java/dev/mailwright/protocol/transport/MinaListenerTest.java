package dev.mailwright.protocol.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.protocol.Deadlines;
import dev.mailwright.protocol.Limits;
import dev.mailwright.protocol.codec.Line;
import dev.mailwright.protocol.codec.LineDecoder;
import dev.mailwright.protocol.session.Connection;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.ProtocolSessionFactory;
import dev.mailwright.protocol.tls.SelfSignedCertificate;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class MinaListenerTest {

    private static final SelfSignedCertificate CERT = SelfSignedCertificate.generate("localhost");

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final java.util.Map<String, String> threadOfLine = new java.util.concurrent.ConcurrentHashMap<>();
    private MinaListener listener;

    /** A tiny line protocol exercising every Connection feature; it splits its input as POP3 does. */
    private final class TestSession implements ProtocolSession {
        private Connection c;
        private final LineDecoder decoder = new LineDecoder(64, false,
                listener.config().limits().deadlines().commandLine());
        /** Octets still to read raw after "RAW n", else -1. */
        private int rawLeft = -1;
        private final StringBuilder raw = new StringBuilder();
        private boolean waiting;
        private boolean upgrading;

        @Override
        public void started(Connection connection) {
            c = connection;
            c.writeLine("HELLO" + (c.isSecure() ? " secure" : ""));
        }

        @Override
        public boolean startsWithoutBlocking() {
            return true;
        }

        @Override
        public void received(ByteBuffer input) {
            while (input.hasRemaining() && !waiting && !upgrading && !c.outputBacklogged()) {
                if (rawLeft > 0) {
                    while (rawLeft > 0 && input.hasRemaining()) {
                        raw.append((char) input.get());
                        rawLeft--;
                    }
                    if (rawLeft == 0) {
                        rawLeft = -1;
                        c.writeLine("GOT " + raw);
                        raw.setLength(0);
                    }
                    continue;
                }
                Line line = decoder.next(input);
                if (line == null) {
                    return;
                }
                line(line);
            }
        }

        /** FAST and FSTREAM (a stream from memory) do not block. */
        @Override
        public void receivedWithoutBlocking(ByteBuffer input) {
            Line line;
            while (rawLeft < 0 && !waiting && !upgrading && !c.outputBacklogged() && (line = decoder.peek(input)) != null) {
                String text = line.ascii().orElse("");
                if (!text.startsWith("FAST") && !text.startsWith("FSTREAM ")) {
                    return;
                }
                line(decoder.next(input));
            }
        }

        private void line(Line line) {
            threads.add(Thread.currentThread().getName());
            line.ascii().ifPresent(text -> threadOfLine.put(text, Thread.currentThread().getName()));
            if (!line.isLine()) {
                events.add("error " + line.kind());
                c.writeLine("ERR " + line.kind());
                if (line.kind() == Line.Kind.TIMEOUT) {
                    c.close();
                }
                return;
            }
            String text = line.ascii().orElse("?");
            events.add("line " + text);
            if (text.equals("STARTTLS")) {
                upgrading = true;
                c.startTls("GO");
            } else if (text.equals("LOGIN")) {
                c.preAuthEnded();
                c.writeLine("WELCOME");
            } else if (text.equals("QUIT")) {
                c.writeLine("BYE");
                c.close();
            } else if (text.startsWith("RAW ")) {
                rawLeft = Integer.parseInt(text.substring(4));
            } else if (text.startsWith("STREAM ") || text.startsWith("HSTREAM ") || text.startsWith("FSTREAM ")) {
                String[] args = text.split(" ");
                long n = Long.parseLong(args[1]);
                // HSTREAM n h: a head line of h octets ("H...H\r\n") sent with the stream
                byte[] head = args[0].equals("HSTREAM")
                        ? ("H".repeat(Integer.parseInt(args[2])) + "\r\n").getBytes(StandardCharsets.US_ASCII) : new byte[0];
                try {
                    c.writeStream(head, new InputStream() {
                        long left = n;

                        @Override
                        public int read() {
                            return left-- > 0 ? 'x' : -1;
                        }

                        @Override
                        public int read(byte[] b, int off, int len) {
                            if (left <= 0) {
                                return -1;
                            }
                            int k = (int) Math.min(len, left);
                            java.util.Arrays.fill(b, off, off + k, (byte) 'x');
                            left -= k;
                            return k;
                        }
                    });
                    c.writeLine("\r\nEND");
                } catch (IOException e) {
                    events.add("stream failed");
                }
            } else if (text.startsWith("FAT ")) { // a reply of n octets, written at once
                c.writeLine("F".repeat(Integer.parseInt(text.substring(4))));
            } else if (text.equals("SLOW")) {
                waiting = true;
                c.after(Duration.ofMillis(300), () -> {
                    waiting = false;
                    c.writeLine("LATE");
                });
            } else {
                c.writeLine("ECHO " + text);
            }
        }

        @Override
        public void idle() {
            events.add("idle");
        }

        @Override
        public void outputTooSlow() {
            events.add("output too slow");
        }

        @Override
        public void preAuthTimedOut() {
            events.add("pre-auth");
            c.writeLine("TOO LATE");
        }

        @Override
        public void tlsStarted() {
            upgrading = false;
            events.add("tls");
        }

        @Override
        public void ended(EndReason reason) {
            events.add("ended " + reason);
        }
    }

    private MinaListener start(Limits limits, boolean implicitTls) throws IOException {
        listener = new MinaListener(new MinaListener.Config("test", new InetSocketAddress("127.0.0.1", 0), limits,
                Optional.of(CERT.tlsConfig()), implicitTls), new ProtocolSessionFactory() {
                    @Override
                    public ProtocolSession newSession() {
                        return new TestSession();
                    }

                    @Override
                    public String busyReply() {
                        return "BUSY";
                    }
                });
        listener.start();
        return listener;
    }

    private MinaListener start() throws IOException {
        return start(Limits.DEFAULT.withMaxLineLength(64), false);
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.stop();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", listener.port());
        s.setSoTimeout(20_000);
        return s;
    }

    private static BufferedReader reader(Socket s) throws IOException {
        return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
    }

    private static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Sends {@code text} one octet at a time, {@code gapMillis} apart, until the server hangs up. */
    static void trickle(Socket s, String text, long gapMillis) throws InterruptedException {
        try {
            for (char ch : text.toCharArray()) {
                send(s, String.valueOf(ch));
                Thread.sleep(gapMillis);
            }
        } catch (IOException e) {
            // cut off: what the server said is still to be read
        }
    }

    private String nextEventOtherThanLines() throws InterruptedException {
        String e;
        do {
            e = nextEvent();
        } while (e.startsWith("line "));
        return e;
    }

    /** The events up to and including the session's end. */
    private List<String> eventsUntilEnded() throws InterruptedException {
        List<String> seen = new java.util.ArrayList<>();
        String e;
        do {
            e = nextEvent();
            seen.add(e);
        } while (!e.startsWith("ended "));
        return seen;
    }

    private String nextEvent() throws InterruptedException {
        String e = events.poll(20, TimeUnit.SECONDS);
        assertThat(e).as("event").isNotNull();
        return e;
    }

    @Test
    void boundPortShouldBeRealWhenConfiguredWithZero() throws IOException {
        start();
        assertThat(listener.port()).isPositive();
    }

    @Test
    void thousandPipelinedLinesShouldBeAnsweredInOrderOffTheIoThreads() throws IOException {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            StringBuilder all = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                all.append("N ").append(i).append("\r\n");
            }
            send(s, all.toString());
            for (int i = 0; i < 1000; i++) {
                assertThat(in.readLine()).isEqualTo("ECHO N " + i);
            }
        }
        assertThat(threads).allMatch(t -> t.startsWith("test-session-"));
    }

    /** Sends FAST lines one by one until one is handled on an I/O thread (a line may find the worker still finishing). */
    private void awaitOneHandledOnTheIoThread(Socket s, BufferedReader in, String prefix) throws IOException {
        for (int i = 0; i < 50; i++) {
            send(s, prefix + " " + i + "\r\n");
            assertThat(in.readLine()).isEqualTo("ECHO " + prefix + " " + i);
            if (!threadOfLine.get(prefix + " " + i).startsWith("test-session-")) {
                return;
            }
        }
        throw new AssertionError("no " + prefix + " line was handled on an I/O thread");
    }

    @Test
    void linesHandledWithoutBlockingShouldRunOnTheIoThreadAndKeepTheirPlaceAmongTheOthers() throws IOException {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            awaitOneHandledOnTheIoThread(s, in, "FAST first");
            StringBuilder all = new StringBuilder();
            for (int i = 1; i < 300; i++) {
                all.append(i % 3 == 0 ? "N " : "FAST ").append(i).append("\r\n");
            }
            send(s, all.toString());
            for (int i = 1; i < 300; i++) {
                assertThat(in.readLine()).isEqualTo("ECHO " + (i % 3 == 0 ? "N " : "FAST ") + i);
            }
            awaitOneHandledOnTheIoThread(s, in, "FAST after");
        }
        for (int i = 3; i < 300; i += 3) {
            assertThat(threadOfLine.get("N " + i)).as("N %d", i).startsWith("test-session-");
        }
        assertThat(threadOfLine.get("FAST 4")).as("after a line handed to the worker").startsWith("test-session-");
    }

    @Test
    void streamWrittenFromTheIoThreadShouldArriveCompletely() throws IOException {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            for (int i = 0; ; i++) {
                assertThat(i).as("attempts to have the stream written on an I/O thread").isLessThan(20);
                awaitOneHandledOnTheIoThread(s, in, "FAST " + i);
                send(s, "FSTREAM 300000\r\n");
                char[] buf = new char[300_000];
                int got = 0;
                while (got < buf.length) {
                    int n = in.read(buf, got, buf.length - got);
                    assertThat(n).isPositive();
                    got += n;
                }
                assertThat(new String(buf)).matches("x{300000}");
                assertThat(in.readLine()).isEmpty();
                assertThat(in.readLine()).isEqualTo("END");
                if (!threadOfLine.get("FSTREAM 300000").startsWith("test-session-")) {
                    break;
                }
            }
        }
    }

    @Test
    void overlongLineShouldGiveOneErrorAndTheSessionShouldContinue() throws IOException {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            in.readLine();
            send(s, "x".repeat(10_000) + "\r\nNOOP\r\nBARE\nNUL\0\r\n");
            assertThat(in.readLine()).isEqualTo("ERR TOO_LONG");
            assertThat(in.readLine()).isEqualTo("ECHO NOOP");
            assertThat(in.readLine()).isEqualTo("ERR BARE_LF");
            assertThat(in.readLine()).isEqualTo("ERR NUL");
        }
    }

    @Test
    void rawModeShouldReceiveExactlyTheAskedOctetsAndThenLinesAgain() throws IOException {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            in.readLine();
            send(s, "RAW 5\r\nab");
            send(s, "cdeNOOP\r\n");
            assertThat(in.readLine()).isEqualTo("GOT abcde");
            assertThat(in.readLine()).isEqualTo("ECHO NOOP");
        }
    }

    @Test
    void streamLargerThanAnyBufferShouldArriveCompletely() throws IOException {
        start();
        long size = 30L * 1024 * 1024;
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            in.readLine();
            send(s, "STREAM " + size + "\r\nNOOP\r\n");
            long got = 0;
            char[] cbuf = new char[8192];
            while (got < size) {
                int n = in.read(cbuf, 0, (int) Math.min(cbuf.length, size - got));
                assertThat(n).isPositive();
                got += n;
            }
            assertThat(in.readLine()).isEqualTo("");
            assertThat(in.readLine()).isEqualTo("END");
            assertThat(in.readLine()).isEqualTo("ECHO NOOP");
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 5", "5, 5", "70000, 5", "200000, 40000", "10, 40000"})
    void headAndStreamShouldArriveInOrderWhateverTheirSizes(long size, int headLength) throws IOException {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            in.readLine();
            send(s, "HSTREAM " + size + " " + headLength + "\r\nNOOP\r\n");
            assertThat(in.readLine()).isEqualTo("H".repeat(headLength));
            long got = 0;
            char[] cbuf = new char[8192];
            while (got < size) {
                int n = in.read(cbuf, 0, (int) Math.min(cbuf.length, size - got));
                assertThat(n).isPositive();
                for (int i = 0; i < n; i++) {
                    assertThat(cbuf[i]).isEqualTo('x');
                }
                got += n;
            }
            assertThat(in.readLine()).isEqualTo("");
            assertThat(in.readLine()).isEqualTo("END");
            assertThat(in.readLine()).isEqualTo("ECHO NOOP");
        }
    }

    @Test
    void startTlsShouldDiscardPlaintextPipelinedAfterTheCommand() throws Exception {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            send(s, "STARTTLS\r\nINJECTED\r\n");
            assertThat(in.readLine()).isEqualTo("GO");
            SSLSocket tls = (SSLSocket) CERT.clientContext().getSocketFactory()
                    .createSocket(s, "localhost", listener.port(), true);
            tls.startHandshake();
            assertThat(tls.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            send(tls, "AFTER\r\n");
            assertThat(reader(tls).readLine()).isEqualTo("ECHO AFTER");
            assertThat(nextEvent()).isEqualTo("line STARTTLS");
            assertThat(nextEvent()).isEqualTo("tls");
            assertThat(nextEvent()).isEqualTo("line AFTER");
            tls.close();
        }
    }

    @Test
    void implicitTlsListenerShouldGreetOverTls() throws Exception {
        start(Limits.DEFAULT, true);
        try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            s.setSoTimeout(20_000);
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO secure");
            send(s, "QUIT\r\n");
            assertThat(in.readLine()).isEqualTo("BYE");
            assertThat(in.readLine()).isNull();
        }
    }

    @Test
    void stopShouldReturnOnlyWhenEveryThreadOfTheListenerHasEnded() throws Exception {
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        for (int i = 0; i < 150; i++) {
            start();
            try (Socket s = connect()) {
                BufferedReader in = reader(s);
                assertThat(in.readLine()).isEqualTo("HELLO");
                send(s, "QUIT\r\n");
                assertThat(in.readLine()).isEqualTo("BYE");
            }
            listener.stop();
            listener = null;
            // a pool says "terminated" while its last worker is still on its way out: stop() joins the threads
            assertThat(Thread.getAllStackTraces().keySet()).as("cycle %d", i)
                    .filteredOn(t -> t.isAlive() && !before.contains(t)).extracting(Thread::getName).isEmpty();
        }
    }

    @Test
    void tlsHandshakesShouldRunOnTheListenersThreadsAndNeverStartMinasStaticPool() throws Exception {
        start(Limits.DEFAULT, true);
        for (int i = 0; i < 3; i++) { // full handshakes: key agreement and signing are delegated tasks
            try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
                s.setSoTimeout(20_000);
                assertThat(reader(s).readLine()).isEqualTo("HELLO secure");
            }
        }
        // SslFilter.EXECUTOR ("ssl-exec-*", static, never shut down) starts its first thread on
        // the first delegated task MINA is handed; InlineTasksEngine hands it none
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .noneMatch(name -> name.startsWith("ssl-exec"));
    }

    @Test
    void implicitTlsListenerShouldRefuseTls11() throws Exception {
        start(Limits.DEFAULT, true);
        try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            s.setSoTimeout(20_000);
            s.setEnabledProtocols(new String[] {"TLSv1.1"});
            org.assertj.core.api.Assertions.assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"})
    void tls12ShouldOfferOnlyForwardSecretAeadSuites(String weak) throws Exception {
        start(Limits.DEFAULT, true);
        try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            s.setSoTimeout(20_000);
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {weak});
            org.assertj.core.api.Assertions.assertThatThrownBy(s::startHandshake).isInstanceOf(IOException.class);
        }
        try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            s.setSoTimeout(20_000);
            s.setEnabledProtocols(new String[] {"TLSv1.2"});
            s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"});
            s.startHandshake();
            assertThat(s.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        }
    }

    @Test
    void connectionsOverThePerAddressLimitShouldGetTheBusyReply() throws IOException {
        start(Limits.DEFAULT.withMaxConnections(10, 1), false);
        try (Socket first = connect()) {
            // the first must be accepted before the second connects: MINA's acceptor may hand
            // two quick connections to its processors in either order
            assertThat(reader(first).readLine()).isEqualTo("HELLO");
            Socket second = connect();
            BufferedReader in = reader(second);
            assertThat(in.readLine()).isEqualTo("BUSY");
            assertThat(in.readLine()).isNull();
            second.close();
        }
    }

    @Test
    void idleConnectionShouldBeClosedAfterTheTimeout() throws Exception {
        start(Limits.DEFAULT.withIdleTimeout(Duration.ofSeconds(1)), false);
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            assertThat(in.readLine()).isNull();
        }
        assertThat(nextEvent()).isEqualTo("idle");
        assertThat(nextEvent()).isEqualTo("ended TIMEOUT");
    }

    @Test
    void clientThatNeverLogsInShouldBeCutAtThePreAuthDeadlineThoughItKeepsTalking() throws Exception {
        start(Limits.DEFAULT.withDeadlines(Deadlines.DEFAULT.withPreAuth(Duration.ofMillis(500))), false);
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            String reply;
            do { // every line answered at once, so the idle timeout never comes near
                send(s, "NOOP\r\n");
                reply = in.readLine();
                Thread.sleep(50);
            } while ("ECHO NOOP".equals(reply));
            assertThat(reply).isEqualTo("TOO LATE");
            assertThat(in.readLine()).isNull();
        }
        assertThat(events).contains("pre-auth");
        assertThat(nextEventOtherThanLines()).isEqualTo("pre-auth");
        assertThat(nextEventOtherThanLines()).isEqualTo("ended TIMEOUT");
        awaitNoOpenConnections();
    }

    @Test
    void clientThatLoggedInShouldOutliveThePreAuthDeadline() throws Exception {
        start(Limits.DEFAULT.withDeadlines(Deadlines.DEFAULT.withPreAuth(Duration.ofSeconds(2))), false);
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            send(s, "LOGIN\r\n");
            assertThat(in.readLine()).isEqualTo("WELCOME");
            Thread.sleep(2500); // past the deadline it escaped, however long the login took
            send(s, "NOOP\r\n");
            assertThat(in.readLine()).isEqualTo("ECHO NOOP");
        }
        assertThat(events).doesNotContain("pre-auth");
    }

    @Test
    void commandLineTrickledPastItsDeadlineShouldBeCutOff() throws Exception {
        start(Limits.DEFAULT.withDeadlines(Deadlines.DEFAULT.withCommandLine(Duration.ofMillis(300))), false);
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            trickle(s, "NOOP\r\n", 100); // one octet every 100 ms: the idle timeout never sees a gap
            assertThat(in.readLine()).isEqualTo("ERR TIMEOUT");
            assertThat(in.readLine()).isNull();
        }
    }

    @Test
    void clientThatSendsCommandsButReadsNoRepliesShouldBeHeldBackNotBuffered() throws Exception {
        start();
        int commands = 2_000; // 22 KB of commands asking for 20 MB of replies
        try (Socket s = connect()) {
            // the kernel's buffers take a few MB of the 20 first; a tiny receive window would do, but
            // TCP's zero-window probes then stall the reading below for tens of seconds at a time
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            send(s, "FAT 10000\r\n".repeat(commands));
            Thread.sleep(1500); // the client reads nothing meanwhile
            assertThat(listener.queuedOutput()).as("octets the server holds for the client")
                    .isLessThanOrEqualTo(MinaConnection.OUTPUT_PAUSE_ABOVE + 10_002);
            // held back, not lost: once the client reads, every command is answered, in order
            for (int i = 0; i < commands; i++) {
                assertThat(in.readLine()).as("reply %d", i).hasSize(10_000);
            }
            send(s, "QUIT\r\n");
            assertThat(in.readLine()).isEqualTo("BYE");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"STREAM 20000000", "FAT 20000000"})
    void clientThatReadsRepliesTooSlowlyShouldBeCutOff(String command) throws Exception {
        // 64 KB/s at least, after one second: reading 2 KB/s is far below
        start(Limits.DEFAULT.withDeadlines(Deadlines.DEFAULT.withMinDataRate(64 * 1024, Duration.ofSeconds(1))), false);
        try (Socket s = connect()) {
            s.setReceiveBufferSize(4096);
            InputStream in = s.getInputStream();
            send(s, command + "\r\n");
            byte[] sip = new byte[200];
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                while (in.read(sip) >= 0 && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
            } catch (IOException e) {
                // reset by the server: cut off
            }
        }
        assertThat(eventsUntilEnded()).contains("output too slow").last().isEqualTo("ended TIMEOUT");
        awaitNoOpenConnections();
    }

    @Test
    void clientThatReadsNothingAtAllShouldBeCutOffThoughTheServerClosesOnFlush() throws Exception {
        start(Limits.DEFAULT.withDeadlines(Deadlines.DEFAULT.withMinDataRate(64 * 1024, Duration.ofSeconds(1))), false);
        try (Socket s = connect()) {
            s.setReceiveBufferSize(4096);
            send(s, "FAT 20000000\r\nQUIT\r\n"); // QUIT's close waits for the queue to flush: never, unless cut
            assertThat(nextEventOtherThanLines()).isEqualTo("output too slow");
            assertThat(nextEvent()).isEqualTo("ended TIMEOUT");
        }
        awaitNoOpenConnections();
    }

    @Test
    void clientThatReadsAtFullSpeedShouldTakeALargeStreamDespiteTheFloor() throws Exception {
        start(Limits.DEFAULT.withDeadlines(Deadlines.DEFAULT.withMinDataRate(64 * 1024, Duration.ofSeconds(1))), false);
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            assertThat(in.readLine()).isEqualTo("HELLO");
            send(s, "STREAM 50000000\r\n");
            long octets = 0;
            while (in.read() == 'x') {
                octets++;
            }
            assertThat(octets).isEqualTo(50_000_000);
            assertThat(in.readLine()).isEmpty(); // the rest of the CRLF after the stream
            assertThat(in.readLine()).isEqualTo("END");
        }
        assertThat(events).doesNotContain("output too slow");
    }

    @Test
    void delayedReplyShouldHoldBackLaterInput() throws IOException {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            in.readLine();
            long t0 = System.nanoTime();
            send(s, "SLOW\r\nNOOP\r\n");
            assertThat(in.readLine()).isEqualTo("LATE");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
            assertThat(in.readLine()).isEqualTo("ECHO NOOP");
        }
    }

    @Test
    void droppedConnectionShouldEndTheSessionAsDropped() throws Exception {
        start();
        try (Socket s = connect()) {
            reader(s).readLine();
        }
        assertThat(nextEvent()).isEqualTo("ended DROPPED");
        assertThat(listener.openConnections()).isZero();
    }

    @Test
    void stopShouldEndOpenSessionsAsShutdown() throws Exception {
        start();
        try (Socket s = connect()) {
            BufferedReader in = reader(s);
            in.readLine();
            listener.stop();
            assertThat(in.readLine()).isNull();
        }
        assertThat(nextEvent()).isEqualTo("ended SHUTDOWN");
        listener = null;
    }

    /** Polls until no connection is counted any more (closes are reported asynchronously). */
    private void awaitNoOpenConnections() throws InterruptedException {
        for (int i = 0; i < 500 && listener.openConnections() > 0; i++) {
            Thread.sleep(10);
        }
        assertThat(listener.openConnections()).as("connections still counted").isZero();
    }

    /** A plaintext greeting on the TLS port, or a ClientHello offering only an RSA suite to our EC certificate. */
    private void failHandshake(int i) throws IOException {
        if (i % 2 == 0) {
            try (Socket s = connect()) {
                send(s, "EHLO plaintext.example\r\n");
                s.getInputStream().read(new byte[256]); // an alert, or nothing, then the close
            } catch (IOException expected) {
                // reset by the server
            }
        } else {
            try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1",
                    listener.port())) {
                s.setSoTimeout(20_000);
                s.setEnabledProtocols(new String[] {"TLSv1.2"});
                s.setEnabledCipherSuites(new String[] {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"});
                s.startHandshake();
                throw new AssertionError("the handshake should have failed");
            } catch (javax.net.ssl.SSLException expected) {
                // refused
            } catch (IOException expected) {
                // reset
            }
        }
    }

    @Test
    void failedTlsHandshakesShouldGiveTheirConnectionSlotsBack() throws Exception {
        start(Limits.DEFAULT.withMaxConnections(100, 20), true);
        for (int i = 0; i < 120; i++) {
            failHandshake(i);
        }
        awaitNoOpenConnections();
        try (SSLSocket s = (SSLSocket) CERT.clientContext().getSocketFactory().createSocket("127.0.0.1", listener.port())) {
            s.setSoTimeout(20_000);
            assertThat(reader(s).readLine()).isEqualTo("HELLO secure");
        }
    }

    @Test
    void connectionCountShouldReturnToZeroAfterEveryKindOfClose() throws Exception {
        start(Limits.DEFAULT.withIdleTimeout(Duration.ofSeconds(1)).withMaxConnections(100, 5), false);
        try (Socket quit = connect(); Socket reset = connect(); Socket idle = connect(); Socket upgrading = connect()) {
            BufferedReader in = reader(quit);
            assertThat(in.readLine()).isEqualTo("HELLO");
            send(quit, "QUIT\r\n");
            assertThat(in.readLine()).isEqualTo("BYE");
            assertThat(reader(reset).readLine()).isEqualTo("HELLO");
            reset.setSoLinger(true, 0); // an RST instead of a FIN
            reset.close();
            BufferedReader up = reader(upgrading);
            assertThat(up.readLine()).isEqualTo("HELLO");
            send(upgrading, "STARTTLS\r\n");
            assertThat(up.readLine()).isEqualTo("GO");
            send(upgrading, "not a ClientHello\r\n"); // the in-band handshake fails
            BufferedReader idleIn = reader(idle);
            assertThat(idleIn.readLine()).isEqualTo("HELLO");
            assertThat(idleIn.readLine()).as("closed by the idle timeout").isNull();
        }
        awaitNoOpenConnections();
        Socket open = connect();
        assertThat(reader(open).readLine()).isEqualTo("HELLO");
        assertThat(listener.openConnections()).isEqualTo(1);
        listener.stop(); // the stop closes it
        assertThat(listener.openConnections()).isZero();
        open.close();
        listener = null;
    }

    @Test
    void aBurstOfConnectionsShouldAllBeAcceptedAndGreeted() throws Exception {
        int n = 1500;
        start(Limits.DEFAULT.withMaxConnections(n, n), false);
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < n; i++) { // opened as fast as the kernel takes them, read afterwards
                java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(
                        new InetSocketAddress("127.0.0.1", listener.port()));
                sockets.add(ch.socket());
            }
            for (Socket s : sockets) {
                s.setSoTimeout(20_000);
                byte[] hello = new byte[7];
                assertThat(s.getInputStream().readNBytes(hello, 0, 7)).isEqualTo(7);
                assertThat(new String(hello, StandardCharsets.US_ASCII)).isEqualTo("HELLO\r\n");
            }
            assertThat(listener.openConnections()).isEqualTo(n);
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }
}
