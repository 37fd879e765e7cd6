/** SPF (RFC 7208): {@link dev.mailwright.mailauth.spf.Spf} checks the MAIL FROM and HELO identities. */
package dev.mailwright.mailauth.spf;
