package dev.mailwright.store;

/** What a mailbox holds now: messages and their total stored size in octets. */
public record Usage(long messages, long bytes) {
    public static final Usage EMPTY = new Usage(0, 0);
}
