/**
 * The SMTP server: MX, submission and SMTPS listeners, ESMTP extensions, policy hooks and
 * delivery into the store or into a caller's {@link dev.mailwright.smtp.MailHandler}.
 *
 * <p>This package is the embedding API: {@link dev.mailwright.smtp.SmtpReply},
 * {@link dev.mailwright.smtp.SmtpRejection}, {@link dev.mailwright.smtp.MailHandler} and the
 * value types of a mail transaction. Commands ({@code .command}), the session and its input
 * decoding ({@code .session}), policy hooks ({@code .policy}) and delivery ({@code .delivery})
 * never import the network transport.
 */
package dev.mailwright.smtp;
