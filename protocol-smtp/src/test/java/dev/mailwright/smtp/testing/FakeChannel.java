package dev.mailwright.smtp.testing;

import dev.mailwright.smtp.SmtpReply;
import dev.mailwright.smtp.session.SessionChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** A connection without a network: records replies; TLS "completes" when the harness says so. */
public final class FakeChannel implements SessionChannel {

    private final StringBuilder output = new StringBuilder();
    private final List<SmtpReply> replies = new ArrayList<>();
    private final List<java.time.Duration> holds = new ArrayList<>();
    private final InetSocketAddress remote;
    private boolean tlsConfigured = true;
    private boolean tls;
    private boolean tlsRequested;
    private boolean closed;

    public FakeChannel(InetSocketAddress remote) {
        this.remote = remote;
    }

    public void tlsConfigured(boolean configured) {
        this.tlsConfigured = configured;
    }

    public void tls(boolean on) {
        this.tls = on;
    }

    @Override
    public void send(SmtpReply reply) {
        if (closed) {
            throw new IllegalStateException("reply after close: " + reply);
        }
        replies.add(reply);
        output.append(reply.format());
    }

    @Override
    public void startTls(SmtpReply reply) {
        send(reply);
        tlsRequested = true;
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

    @Override
    public void close() {
        closed = true;
    }

    /** A hold is recorded, not waited for: {@code then} runs at once. */
    @Override
    public void after(java.time.Duration delay, Runnable then) {
        holds.add(delay);
        then.run();
    }

    /** The holds asked for so far. */
    public List<java.time.Duration> holds() {
        return holds;
    }

    public boolean closed() {
        return closed;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public Optional<TlsInfo> tls() {
        return tls ? Optional.of(new TlsInfo("TLSv1.3", "TLS_AES_128_GCM_SHA256")) : Optional.empty();
    }

    @Override
    public boolean tlsAvailable() {
        return tlsConfigured && !tls;
    }

    /** Everything sent so far, and forget it. */
    public String take() {
        String s = output.toString();
        output.setLength(0);
        return s;
    }

    public List<SmtpReply> replies() {
        return replies;
    }
}
