package dev.mailwright.protocol.session;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * What a protocol session may do with its connection. Implemented by the transport; a
 * protocol never sees MINA. All methods are meant to be called from the session's own
 * callbacks, which run one at a time on the session's ordered executor, where blocking work is
 * allowed; or on an I/O thread in {@link ProtocolSession#receivedWithoutBlocking}.
 */
public interface Connection {

    /** A short unique id for logs. */
    String id();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** Whether the connection is encrypted now (implicit TLS, or after an upgrade). */
    boolean isSecure();

    /** The negotiated TLS protocol and cipher suite, once encrypted. */
    Optional<TlsInfo> tls();

    /** Whether an in-band upgrade ({@link #startTls}) is possible: TLS material configured and not secure yet. */
    boolean canStartTls();

    /** Queues octets for sending; returns at once. */
    void write(byte[] data);

    /** Queues one line; {@code CRLF} is appended. Encoded as UTF-8 (plain ASCII stays ASCII). */
    default void writeLine(String line) {
        write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Sends a stream to the end, in bounded chunks, each written only once the one before it
     * left (back-pressure): memory use does not depend on the stream's length. Blocks until the
     * last chunk is queued. Closes the stream. Throws when the connection goes away meanwhile.
     * On an I/O thread (a line handled without blocking) every chunk is queued at once, without
     * waiting: only for content already in memory.
     */
    default void writeStream(InputStream content) throws IOException {
        writeStream(new byte[0], content);
    }

    /**
     * Like {@link #writeStream(InputStream)}, with {@code head} (a status line, say) sent in the
     * same first chunk as the start of the stream: one write instead of two for a short reply.
     */
    void writeStream(byte[] head, InputStream content) throws IOException;

    /**
     * In-band TLS upgrade (STARTTLS, STLS): sends {@code reply} in plaintext, then starts the
     * server side of the TLS handshake. Everything the client sent after the upgrade command
     * and before the handshake (what the session left unconsumed, and what arrives meanwhile in
     * plaintext) is discarded unread (RFC 3207 section 4.2, CVE-2011-0411). The session gets
     * {@link ProtocolSession#tlsStarted()} once the handshake completes, and no input before.
     *
     * @throws IllegalStateException when {@link #canStartTls()} is false
     */
    void startTls(String reply);

    /**
     * Pauses input processing for {@code delay}, then runs {@code then} on the session's
     * executor (a delayed failure reply after a failed login). No thread sleeps meanwhile; the
     * session consumes no more input until {@code then} ran.
     */
    void after(Duration delay, Runnable then);

    /**
     * Runs {@code task} on the session's ordered executor, as one of its callbacks: for news
     * another thread has about the session (its maildrop lock was taken over). May be called
     * from any thread; once the connection has ended the task is dropped.
     */
    void execute(Runnable task);

    /**
     * The session left its pre-authentication phase (a login succeeded; on an SMTP MX, which has
     * no login, the first transaction began): the pre-authentication deadline no longer applies.
     * Further calls do nothing; so does the default, for a connection without deadlines.
     */
    default void preAuthEnded() {
    }

    /**
     * Fault injection ({@link dev.mailwright.protocol.fault.Fault}): drops the connection once
     * {@code octets} more octets were sent. Transports without fault injection refuse.
     */
    default void disconnectAfterSent(long octets) {
        throw new UnsupportedOperationException("no fault injection on this connection");
    }

    /** Fault injection: drops the connection once {@code octets} more octets were received. */
    default void disconnectAfterReceived(long octets) {
        throw new UnsupportedOperationException("no fault injection on this connection");
    }

    /** Fault injection: the next {@link #startTls} sends its reply, then drops the connection instead of the handshake. */
    default void failTls() {
        throw new UnsupportedOperationException("no fault injection on this connection");
    }

    /**
     * Whether so much output waits for the client that the session should take no further
     * command from its input until the client has read some (ADR 0034). A session that splits
     * several commands out of one read stops between them while this is true; the transport
     * offers the rest of the input again once the output has drained. The default never holds back.
     */
    default boolean outputBacklogged() {
        return false;
    }

    /** Closes after everything queued was sent. */
    void close();

    /** Closes at once, dropping what is queued. */
    void abort();

    /** A negotiated TLS session. */
    record TlsInfo(String protocol, String cipher) {
    }
}
