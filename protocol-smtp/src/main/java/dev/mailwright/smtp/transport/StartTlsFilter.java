package dev.mailwright.smtp.transport;

import dev.mailwright.protocol.tls.TlsConfig;
import org.apache.mina.core.buffer.IoBuffer;
import org.apache.mina.core.filterchain.IoFilter;
import org.apache.mina.core.session.IdleStatus;
import org.apache.mina.core.session.IoSession;
import org.apache.mina.core.write.WriteRequest;
import org.apache.mina.filter.FilterEvent;
import org.apache.mina.filter.ssl.SslFilter;

/**
 * The TLS filter added by STARTTLS. It marks what it decrypted as {@link Decrypted}, so the
 * handler can tell the first octets that really came over TLS from plaintext that was read
 * before the filter went in (and must be discarded: RFC 3207 section 4.2, CVE-2011-0411).
 * MINA's handshake-done event is no use for that: it may arrive after the first decrypted data.
 */
final class StartTlsFilter extends SslFilter {

    /** Octets that came through TLS. */
    record Decrypted(IoBuffer buffer) {
    }

    StartTlsFilter(TlsConfig tls) {
        super(tls.context());
        setEnabledProtocols(tls.protocolArray());
    }

    /** The filter for implicit TLS (no marking needed: the connection never was plaintext). */
    static SslFilter implicit(TlsConfig tls) {
        SslFilter filter = new SslFilter(tls.context());
        filter.setEnabledProtocols(tls.protocolArray());
        return filter;
    }

    @Override
    public void messageReceived(IoFilter.NextFilter next, IoSession session, Object message) throws Exception {
        super.messageReceived(new Marking(next), session, message);
    }

    private record Marking(IoFilter.NextFilter next) implements IoFilter.NextFilter {
        @Override
        public void messageReceived(IoSession session, Object message) {
            next.messageReceived(session, message instanceof IoBuffer b ? new Decrypted(b) : message);
        }

        @Override
        public void sessionCreated(IoSession session) {
            next.sessionCreated(session);
        }

        @Override
        public void sessionOpened(IoSession session) {
            next.sessionOpened(session);
        }

        @Override
        public void sessionClosed(IoSession session) {
            next.sessionClosed(session);
        }

        @Override
        public void sessionIdle(IoSession session, IdleStatus status) {
            next.sessionIdle(session, status);
        }

        @Override
        public void exceptionCaught(IoSession session, Throwable cause) {
            next.exceptionCaught(session, cause);
        }

        @Override
        public void inputClosed(IoSession session) {
            next.inputClosed(session);
        }

        @Override
        public void messageSent(IoSession session, WriteRequest writeRequest) {
            next.messageSent(session, writeRequest);
        }

        @Override
        public void filterWrite(IoSession session, WriteRequest writeRequest) {
            next.filterWrite(session, writeRequest);
        }

        @Override
        public void filterClose(IoSession session) {
            next.filterClose(session);
        }

        @Override
        public void event(IoSession session, FilterEvent event) {
            next.event(session, event);
        }
    }
}
