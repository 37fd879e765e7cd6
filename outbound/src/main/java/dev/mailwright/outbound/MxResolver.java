package dev.mailwright.outbound;

import java.util.List;

/**
 * Finds the hosts that take mail for a domain, in the order to try them. Production uses
 * {@link DnsMxResolver}; tests use {@link MapMxResolver}.
 */
public interface MxResolver {

    /**
     * The hosts for a domain, most preferred first; never empty.
     *
     * @throws PermanentFailure when the domain takes no mail (null MX, RFC 7505; no such domain)
     * @throws TemporaryFailure when DNS could not answer now
     */
    List<MxHost> resolve(String domain);

    /** One host to connect to; {@code port} is 0 for "the configured MX port". */
    record MxHost(String host, int port) {

        public static MxHost of(String host) {
            return new MxHost(host, 0);
        }

        @Override
        public String toString() {
            return port == 0 ? host : host + ":" + port;
        }
    }

    /** The domain takes no mail: bounce. */
    final class PermanentFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public PermanentFailure(String message) {
            super(message);
        }
    }

    /** DNS trouble that may pass: retry later. */
    final class TemporaryFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public TemporaryFailure(String message) {
            super(message);
        }
    }
}
