package dev.mailwright.smtp.api;

import java.net.InetSocketAddress;
import java.util.Optional;

/** What policies and handlers may know about the connection a transaction arrived on. */
public interface SessionInfo {

    /** A short random id, in every log line of the session and in the Received header. */
    String sessionId();

    InetSocketAddress clientAddress();

    /** The HELO/EHLO name, once given. */
    Optional<String> heloName();

    /** Whether the client said EHLO (rather than HELO). */
    boolean extended();

    /** The TLS protocol (for instance {@code TLSv1.3}) when the connection is encrypted. */
    Optional<String> tlsProtocol();

    /** The TLS cipher suite when the connection is encrypted. */
    Optional<String> tlsCipher();

    /** The authenticated user (RFC 4954), if any. */
    Optional<String> authenticatedUser();
}
