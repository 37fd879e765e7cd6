package dev.mailwright.protocol.fault;

import java.util.Optional;

/**
 * Asked by a server at each stage of a dialogue whether to inject a {@link Fault} there; the
 * test kit ({@code mailwright-test}) scripts one. Stages are named by the protocol: {@link #CONNECT}
 * before the greeting, {@link #TLS} before an implicit TLS handshake, a command's verb in upper
 * case ({@code HELO}, {@code EHLO}, {@code MAIL}, {@code RCPT}, {@code DATA}, {@code AUTH},
 * {@code STARTTLS}, {@code RETR}, ...) before the command runs, and {@link #END_OF_DATA} after an
 * SMTP message's content arrived and before it is committed.
 *
 * <p>Shared by all sessions of a server and asked from any of their threads: implementations must
 * be thread-safe and must not block.
 */
@FunctionalInterface
public interface FaultHook {

    String CONNECT = "CONNECT";
    String TLS = "TLS";
    String END_OF_DATA = "END_OF_DATA";

    /** No faults: what every production server has. */
    FaultHook NONE = (stage, argument) -> Optional.empty();

    /**
     * @param stage    as above
     * @param argument the command's argument as the client sent it ({@code TO:<ann@example.test>},
     *                 {@code 2}); empty at CONNECT, TLS and END_OF_DATA
     * @return the fault to inject, or empty to go on normally
     */
    Optional<Fault> at(String stage, String argument);
}
