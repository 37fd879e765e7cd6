package dev.mailwright.dns;

import java.net.InetAddress;

/**
 * The DNS queries Mailwright makes (mail authentication, outbound delivery, the admin check), with answers that tell NXDOMAIN, no data and a
 * temporary failure apart ({@link DnsAnswer}). Names are given without the final dot; CNAMEs are
 * followed. Implementations block (network I/O) and are thread-safe: call them off the I/O threads.
 *
 * <p>{@link DnsjavaLookup} asks the system's resolvers; tests use the in-memory zone of the test-jar
 * ({@code dev.mailwright.dns.InMemoryZone}).
 */
public interface DnsLookup {

    /** TXT records, each as its character-strings joined without separator (RFC 7208 3.3, RFC 6376 3.6.2.2). */
    DnsAnswer<String> txt(String name);

    /** A records. */
    DnsAnswer<InetAddress> a(String name);

    /** AAAA records. */
    DnsAnswer<InetAddress> aaaa(String name);

    /** MX records. */
    DnsAnswer<MxRecord> mx(String name);

    /** PTR records of the reverse name of {@code address}, as host names without the final dot. */
    DnsAnswer<String> ptr(InetAddress address);

    /** One MX record: preference and host (without the final dot; empty for the null MX of RFC 7505). */
    record MxRecord(int preference, String host) {
    }
}
