/**
 * Policy as small hooks (after Apache James): at connect, HELO, MAIL, RCPT and end of data a
 * hook answers accept, reject, temp-fail or no opinion; {@link dev.mailwright.smtp.policy.SmtpPolicy#chain}
 * asks hooks in order until one has an opinion.
 */
package dev.mailwright.smtp.policy;
