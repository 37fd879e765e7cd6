package dev.mailwright.smtp.session;

import java.net.InetSocketAddress;
import java.util.Optional;

/** What a session needs from its connection. The transport implements it; tests fake it. */
public interface SessionChannel {

    /** Queues a reply; replies go out in the order sent. */
    void send(dev.mailwright.smtp.SmtpReply reply);

    /**
     * Sends {@code reply} (the 220 to STARTTLS) in plaintext and puts TLS in place before the
     * client can have read it, so its handshake is never mistaken for plaintext. The transport
     * calls {@link SmtpSession#tlsStarted()} with the first octets that came over TLS; whatever
     * arrives before that is plaintext sent after STARTTLS and is discarded by the session.
     */
    void startTls(dev.mailwright.smtp.SmtpReply reply);

    /** Closes the connection once the replies sent so far are out. */
    void close();

    /**
     * Pauses the session for {@code delay}, then runs {@code then} on the session's executor
     * (a held reply after a failed login). The session gets no input meanwhile; no thread
     * sleeps. Call it only from the session's own callbacks.
     */
    void after(java.time.Duration delay, Runnable then);

    InetSocketAddress remoteAddress();

    /** The negotiated TLS protocol and cipher suite, when encrypted. */
    Optional<TlsInfo> tls();

    /** Whether STARTTLS can be offered (TLS material configured and not yet encrypted). */
    boolean tlsAvailable();

    /** A negotiated TLS session. */
    record TlsInfo(String protocol, String cipher) {
    }
}
