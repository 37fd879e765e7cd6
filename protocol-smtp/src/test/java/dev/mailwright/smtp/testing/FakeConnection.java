package dev.mailwright.smtp.testing;

import dev.mailwright.protocol.session.Connection;
import dev.mailwright.smtp.api.SmtpReply;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A connection without a network: records what is written; TLS "completes" when the harness says so. */
public final class FakeConnection implements Connection {

    private static final Pattern REPLY_LINE = Pattern.compile("(\\d{3})([ -])(?:([245]\\.\\d{1,3}\\.\\d{1,3})(?: |$))?(.*)");

    private final StringBuilder output = new StringBuilder();
    private final StringBuilder all = new StringBuilder();
    private final List<Duration> holds = new ArrayList<>();
    private final InetSocketAddress remote;
    private boolean tlsConfigured = true;
    private boolean tls;
    private boolean tlsRequested;
    private boolean closed;

    public FakeConnection(InetSocketAddress remote) {
        this.remote = remote;
    }

    public void tlsConfigured(boolean configured) {
        this.tlsConfigured = configured;
    }

    public void tls(boolean on) {
        this.tls = on;
    }

    @Override
    public String id() {
        return "fake";
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("192.0.2.1", 25);
    }

    @Override
    public boolean isSecure() {
        return tls;
    }

    @Override
    public Optional<TlsInfo> tls() {
        return tls ? Optional.of(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256")) : Optional.empty();
    }

    @Override
    public boolean canStartTls() {
        return tlsConfigured && !tls && !tlsRequested;
    }

    @Override
    public void write(byte[] data) {
        if (closed) {
            throw new IllegalStateException("write after close: " + new String(data, StandardCharsets.UTF_8));
        }
        String text = new String(data, StandardCharsets.UTF_8);
        output.append(text);
        all.append(text);
    }


    @Override
    public void writeStream(byte[] head, InputStream content) throws IOException {
        write(head);
        write(content.readAllBytes());
    }

    @Override
    public void startTls(String reply) {
        writeLine(reply);
        tlsRequested = true;
    }

    /** Whether STARTTLS asked for a handshake that has not completed yet. */
    public boolean tlsRequested() {
        return tlsRequested;
    }

    /** Whether STARTTLS asked for a handshake since the last call; the handshake is then done. */
    public boolean takeTlsRequest() {
        boolean r = tlsRequested;
        tlsRequested = false;
        if (r) {
            tls = true;
        }
        return r;
    }

    /** A hold is recorded, not waited for: {@code then} runs at once. */
    @Override
    public void after(Duration delay, Runnable then) {
        holds.add(delay);
        then.run();
    }

    /** The holds asked for so far. */
    public List<Duration> holds() {
        return holds;
    }

    @Override
    public void execute(Runnable task) {
        if (!closed) {
            task.run();
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public void abort() {
        closed = true;
    }

    public boolean closed() {
        return closed;
    }

    /** Everything sent so far, and forget it. */
    public String take() {
        String s = output.toString();
        output.setLength(0);
        return s;
    }

    /** Every reply written since the start, parsed back. */
    public List<SmtpReply> replies() {
        List<SmtpReply> replies = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        String enhanced = null;
        for (String line : all.toString().split("\r\n")) {
            Matcher m = REPLY_LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException("not a reply line: " + line);
            }
            enhanced = m.group(3);
            lines.add(m.group(4));
            if (m.group(2).equals(" ")) {
                replies.add(lines.size() == 1 ? SmtpReply.of(Integer.parseInt(m.group(1)), enhanced, lines.get(0))
                        : SmtpReply.multi(Integer.parseInt(m.group(1)), enhanced, List.copyOf(lines)));
                lines.clear();
            }
        }
        return replies;
    }
}
