/**
 * Policy as small hooks (after Apache James): at connect, HELO, MAIL, RCPT and end of data a
 * hook answers accept, reject, temp-fail or no opinion; {@link dev.mailwright.smtp.policy.SmtpPolicy#chain}
 * asks hooks in order until one has an opinion. Content hooks ({@link dev.mailwright.smtp.policy.SmtpPolicy#content})
 * read the spooled message after the end of data, each seeing the verdicts of those before it, and
 * refuse it or add header fields, a subject tag and removals of fields ({@link dev.mailwright.smtp.policy.ContentVerdict}).
 */
package dev.mailwright.smtp.policy;
