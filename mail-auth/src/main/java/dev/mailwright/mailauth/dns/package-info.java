/**
 * The DNS queries of mail authentication ({@link dev.mailwright.mailauth.dns.DnsLookup}), with
 * answers that keep NXDOMAIN, no data and temporary failures apart; dnsjava behind it.
 */
package dev.mailwright.mailauth.dns;
