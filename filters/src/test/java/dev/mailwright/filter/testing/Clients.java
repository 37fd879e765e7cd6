package dev.mailwright.filter.testing;

import dev.mailwright.smtp.api.SessionInfo;
import java.net.InetSocketAddress;
import java.util.Optional;

/** Sessions as a content filter sees them, without a connection. */
public final class Clients {

    private Clients() {
    }

    /** An unauthenticated client at {@code ip} that said EHLO {@code helo}, without TLS. */
    public static SessionInfo mx(String ip, String helo) {
        return new SessionInfo() {
            @Override
            public String sessionId() {
                return "S1";
            }

            @Override
            public InetSocketAddress clientAddress() {
                return new InetSocketAddress(ip, 40000);
            }

            @Override
            public Optional<String> heloName() {
                return Optional.of(helo);
            }

            @Override
            public boolean extended() {
                return true;
            }

            @Override
            public Optional<String> tlsProtocol() {
                return Optional.empty();
            }

            @Override
            public Optional<String> tlsCipher() {
                return Optional.empty();
            }

            @Override
            public Optional<String> authenticatedUser() {
                return Optional.empty();
            }
        };
    }
}
