/**
 * What POP3 and SMTP share: the listener lifecycle ({@link dev.mailwright.protocol.Listener}),
 * the transport-neutral connection and session contract ({@code session}), the line codec
 * ({@code codec}), TLS ({@code tls}), SASL mechanisms ({@code sasl}) and limits ({@code limit}).
 * MINA is confined to {@code transport}.
 */
package dev.mailwright.protocol;
