/**
 * The SMTP server's entry points: {@link dev.mailwright.smtp.SmtpServer} for embedding (MX,
 * submission and submissions listeners over a store or a caller's
 * {@link dev.mailwright.smtp.api.MailHandler}) and {@link dev.mailwright.smtp.SmtpModule} for the
 * all-in-one server.
 *
 * <p>The types an embedder and a hook see are in {@code .api}. Commands ({@code .command}), the
 * session, its dispatcher and its message receiver ({@code .session}), policy hooks
 * ({@code .policy}) and delivery ({@code .delivery}) never import the network transport, which is
 * protocol-core's; {@code .transport} only puts sessions on it.
 */
package dev.mailwright.smtp;
