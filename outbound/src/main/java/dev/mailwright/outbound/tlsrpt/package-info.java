/**
 * SMTP TLS reporting (RFC 8460): {@link dev.mailwright.outbound.tlsrpt.TlsResults} is where the
 * worker tells each MX connection's TLS outcome; {@link dev.mailwright.outbound.tlsrpt.TlsReportCounter}
 * counts them and adds them to the store; {@link dev.mailwright.outbound.tlsrpt.TlsReport} is one
 * day's JSON report and {@link dev.mailwright.outbound.tlsrpt.TlsReportSender} sends the reports
 * of a finished day by mail or HTTPS (docs/adr/0032).
 */
package dev.mailwright.outbound.tlsrpt;
