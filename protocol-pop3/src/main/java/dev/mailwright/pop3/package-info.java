/**
 * The POP3 server (RFC 1939, 2449, 2595, 3206, 5034, 6856). {@link dev.mailwright.pop3.Pop3Server}
 * is the embedding API, {@link dev.mailwright.pop3.Pop3Module} the Dagger module; commands live
 * in {@code command}, the per-connection state and the dispatcher in {@code session}, the
 * bridge to protocol-core's transport in {@code transport}.
 */
package dev.mailwright.pop3;
