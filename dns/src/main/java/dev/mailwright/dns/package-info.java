/**
 * The one DNS client of Mailwright ({@link dev.mailwright.dns.DnsLookup}), with answers that keep
 * NXDOMAIN, no data and temporary failures apart; dnsjava behind it ({@link dev.mailwright.dns.DnsjavaLookup}),
 * an in-memory zone for tests in the test-jar. Used by mail-auth (SPF, DKIM, DMARC, DNSBL), outbound
 * (MX, MTA-STS, TLS-RPT) and the admin {@code check}; never by protocol-smtp or protocol-pop3 (docs/adr/0036).
 */
package dev.mailwright.dns;
