package dev.mailwright.smtp.auth;

/** One authentication attempt. Not thread-safe. */
public interface SaslExchange {

    /**
     * Takes the client's next response. The first call gets the initial response of the AUTH
     * command, or null when there was none (then a mechanism that starts with a server
     * challenge sends it).
     */
    SaslStep step(byte[] response);
}
