/**
 * The MINA transport of the SMTP server: one {@link dev.mailwright.smtp.session.SmtpSession} per
 * connection, driven on a per-connection serial executor (never on the I/O threads), with
 * read back-pressure, idle timeouts, implicit TLS and the STARTTLS upgrade. The only package of
 * this module that imports MINA.
 */
package dev.mailwright.smtp.transport;
