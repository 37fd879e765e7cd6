/**
 * SMTP AUTH (RFC 4954) as the session sees it: an {@link dev.mailwright.smtp.auth.Authenticator}
 * starts {@link dev.mailwright.smtp.auth.SaslExchange}s by mechanism name. The transport
 * module adapts protocol-core's SASL mechanisms to it.
 */
package dev.mailwright.smtp.auth;
