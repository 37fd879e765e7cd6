package dev.mailwright.admin;

import java.util.List;

/** The DNS queries {@code check} makes; the default uses dnsjava and the system resolvers. */
public interface DnsLookup {

    /** MX targets of a domain, by preference; empty when the domain has none. */
    List<Mx> mx(String domain) throws DnsUnavailableException;

    /** TXT records of a name, each joined from its strings; empty when there are none. */
    List<String> txt(String name) throws DnsUnavailableException;

    record Mx(int preference, String host) {
    }

    /** The lookup could not be answered (no network, timeout, SERVFAIL): nothing is known about the name. */
    final class DnsUnavailableException extends Exception {
        public DnsUnavailableException(String message) {
            super(message);
        }
    }
}
