/**
 * One SMTP conversation, transport-free: {@link dev.mailwright.smtp.session.SmtpSession} takes
 * the bytes the client sent and answers through a {@link dev.mailwright.smtp.session.SessionChannel}.
 * It frames command lines (refusing bare CR/LF and overlong lines), dispatches them to
 * {@link dev.mailwright.smtp.session.SmtpCommand}s after checking the {@link dev.mailwright.smtp.session.Phase}
 * in one place, maps failures to replies, and streams DATA and BDAT content through the
 * {@link dev.mailwright.smtp.session.DataDecoder} into the transaction's sink.
 */
package dev.mailwright.smtp.session;
