package dev.mailwright.smtp.session;

import dev.mailwright.protocol.session.Connection;
import dev.mailwright.smtp.api.SessionInfo;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * What is known of the client on one connection (its address, HELO name, TLS, authenticated
 * user), kept apart from the mail transaction. What policies and handlers see of a session.
 */
public final class Client implements SessionInfo {

    private final String sessionId;
    private Connection connection;
    private String heloName;
    private boolean extended;
    private boolean tls;
    private String user;
    private int authFailures;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ID_CHARS = "0123456789BCDFGHJKLMNPQRSTVWXZ".toCharArray();

    private Client(String sessionId) {
        this.sessionId = sessionId;
    }

    /** A client known by a random session id of 12 characters, for logs and the Received header. */
    static Client withRandomId() {
        StringBuilder id = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            id.append(ID_CHARS[RANDOM.nextInt(ID_CHARS.length)]);
        }
        return new Client(id.toString());
    }

    void connected(Connection c) {
        connection = c;
        tls = c.isSecure();
    }

    void greeted(String name, boolean ehlo) {
        heloName = name;
        extended = ehlo;
    }

    void authenticated(String username) {
        user = username;
    }

    /** Counts a failed authentication; returns the count on this connection. */
    public int countAuthFailure() {
        return ++authFailures;
    }

    /** TLS is up after STARTTLS: what the client said before is forgotten (RFC 3207 section 4.2). */
    void secured() {
        tls = true;
        heloName = null;
        extended = false;
        user = null;
    }

    public boolean tls() {
        return tls;
    }

    /** Whether STARTTLS can be offered now. */
    public boolean canStartTls() {
        return !tls && connection.canStartTls();
    }

    @Override
    public String sessionId() {
        return sessionId;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return connection.remoteAddress();
    }

    @Override
    public Optional<String> heloName() {
        return Optional.ofNullable(heloName);
    }

    @Override
    public boolean extended() {
        return extended;
    }

    @Override
    public Optional<String> tlsProtocol() {
        return tls ? Optional.of(connection.tls().map(Connection.TlsInfo::protocol).orElse("TLS")) : Optional.empty();
    }

    @Override
    public Optional<String> tlsCipher() {
        return tls ? connection.tls().map(Connection.TlsInfo::cipher) : Optional.empty();
    }

    @Override
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(user);
    }
}
