package dev.mailwright.store;

/**
 * Limits of one mailbox: total bytes and number of messages. Zero means no limit.
 */
public record Quota(long maxBytes, long maxMessages) {

    public static final Quota UNLIMITED = new Quota(0, 0);

    public Quota {
        if (maxBytes < 0 || maxMessages < 0) {
            throw new InvalidInputException("quota limits must not be negative");
        }
    }

    /** True when a mailbox at {@code usage} can take another message of {@code size} octets. */
    public boolean allows(Usage usage, long size) {
        boolean bytesOk = maxBytes == 0 || usage.bytes() + Math.max(size, 0) <= maxBytes;
        boolean countOk = maxMessages == 0 || usage.messages() + 1 <= maxMessages;
        return bytesOk && countOk;
    }
}
