/**
 * Inbound mail authentication for the MX (ADR 0030): {@link dev.mailwright.mailauth.MailAuthentication}
 * (SPF, DKIM, DMARC, Authentication-Results and the {@link dev.mailwright.mailauth.Actions}) as a
 * protocol-smtp content hook, and {@link dev.mailwright.mailauth.Dnsbl} at connect.
 */
package dev.mailwright.mailauth;
