/** The SMTP server: MX, submission, SMTPS and the outbound queue worker. Filled by a later issue. */
package dev.mailwright.smtp;
