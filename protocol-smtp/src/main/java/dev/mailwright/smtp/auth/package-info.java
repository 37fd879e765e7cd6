/**
 * SMTP AUTH (RFC 4954) as the session sees it: an {@link dev.mailwright.smtp.auth.Authenticator}
 * names the mechanisms and starts protocol-core's SASL exchanges.
 */
package dev.mailwright.smtp.auth;
