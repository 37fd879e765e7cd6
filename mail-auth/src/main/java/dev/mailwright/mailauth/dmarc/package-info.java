/** DMARC (RFC 7489): {@link dev.mailwright.mailauth.dmarc.Dmarc}, alignment on the Public Suffix List. */
package dev.mailwright.mailauth.dmarc;
