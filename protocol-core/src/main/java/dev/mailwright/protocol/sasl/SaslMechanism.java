package dev.mailwright.protocol.sasl;

/**
 * The server side of one SASL exchange (one object per AUTH command). Protocol-neutral: raw
 * response octets in, a {@link SaslStep} out; base64 and {@code *} are handled by
 * {@link SaslExchange}. May block (hashing, store): call it on the session's executor.
 */
public interface SaslMechanism {

    String name();

    /**
     * Evaluates the client's next response; for the first call, the initial response, or
     * null when the client sent none.
     */
    SaslStep evaluate(byte[] response);
}
