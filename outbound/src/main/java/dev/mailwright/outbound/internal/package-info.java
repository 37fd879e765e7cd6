/**
 * The parts of outbound delivery that other modules must not use: the blocking SMTP client
 * ({@code SmtpClient}, {@code Transfer}), the message as sent ({@code PreparedMessage},
 * {@code ReturnPathFilter}), per-recipient outcomes, the retry schedule ({@code Backoff}) and
 * the DSN writer ({@code DeliveryReport}).
 */
package dev.mailwright.outbound.internal;
