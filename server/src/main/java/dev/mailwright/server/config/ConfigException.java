package dev.mailwright.server.config;

/** A mistake in the configuration: the message names the key and, where known, the file and line. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
