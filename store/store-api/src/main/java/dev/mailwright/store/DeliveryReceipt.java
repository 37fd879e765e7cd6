package dev.mailwright.store;

import java.util.List;

/**
 * What a committed delivery stored.
 *
 * @param messageId the id of the stored content
 * @param size      the stored size in octets
 * @param mailboxes one entry per local mailbox that got the message
 * @param queued    the number of remote recipients put in the outbound queue
 */
public record DeliveryReceipt(long messageId, long size, List<Stored> mailboxes, int queued) {

    public DeliveryReceipt {
        mailboxes = List.copyOf(mailboxes);
    }

    /** The message's entry in one mailbox. */
    public record Stored(long accountId, long uid, String uidl) {
    }
}
