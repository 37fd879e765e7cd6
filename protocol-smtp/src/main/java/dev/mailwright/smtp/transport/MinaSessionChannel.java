package dev.mailwright.smtp.transport;

import dev.mailwright.smtp.SmtpReply;
import dev.mailwright.smtp.session.SessionChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import dev.mailwright.protocol.tls.TlsConfig;
import javax.net.ssl.SSLSession;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilterChain;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.DefaultWriteRequest;
import org.apache.mina.filter.ssl.SslFilter;

/** A session's view of its MINA connection. */
final class MinaSessionChannel implements SessionChannel {

    static final String TLS_FILTER = "tls";

    private final IoSession io;
    private final TlsConfig tls;
    private final SerialExecutor executor;

    MinaSessionChannel(IoSession io, TlsConfig tls, SerialExecutor executor) {
        this.io = io;
        this.tls = tls;
        this.executor = executor;
    }

    @Override
    public void send(SmtpReply reply) {
        io.write(IoBuffer.wrap(reply.format().getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * TLS goes in at the head of the chain first; the 220 is then written below it, in
     * plaintext. So the client's handshake, which can only follow the 220, always meets TLS.
     */
    @Override
    public void startTls(SmtpReply reply) {
        IoFilterChain chain = io.getFilterChain();
        chain.addFirst(TLS_FILTER, new StartTlsFilter(tls));
        IoBuffer plain = IoBuffer.wrap(reply.format().getBytes(StandardCharsets.UTF_8));
        chain.getEntry(TLS_FILTER).getNextFilter().filterWrite(io, new DefaultWriteRequest(plain));
    }

    @Override
    public void close() {
        io.closeOnFlush();
    }

    @Override
    public void after(java.time.Duration delay, Runnable then) {
        executor.hold(delay, then);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) io.getRemoteAddress();
    }

    @Override
    public Optional<TlsInfo> tls() {
        Object secured = io.getAttribute(SslFilter.SSL_SECURED);
        if (secured instanceof SSLSession s) {
            return Optional.of(new TlsInfo(s.getProtocol(), s.getCipherSuite()));
        }
        return Optional.empty();
    }

    @Override
    public boolean tlsAvailable() {
        return tls != null && !io.getFilterChain().contains(TLS_FILTER);
    }
}
