package dev.mailwright.store;

import java.util.Optional;
import java.util.Set;

/**
 * Which queue items an administrator's {@linkplain OutboundQueue#change change} acts on: the items
 * named by id, or every item matching the given sender and recipient domain (both optional: none
 * matches the whole queue).
 *
 * @param ids             items named by id; when present, the other two are empty
 * @param sender          the reverse path, compared case-insensitively; {@code ""} is the null
 *                        sender {@code <>} (bounces)
 * @param recipientDomain the recipient's domain, as {@link Address#parseDomain} gives it
 */
public record QueueSelection(Optional<Set<Long>> ids, Optional<String> sender, Optional<String> recipientDomain) {

    public QueueSelection {
        ids = ids.map(Set::copyOf);
        sender = sender.map(s -> s.isEmpty() || s.equals("<>") ? "" : Address.parse(s).key());
        recipientDomain = recipientDomain.map(Address::parseDomain);
        if (ids.isPresent() && (sender.isPresent() || recipientDomain.isPresent())) {
            throw new InvalidInputException("queue items are named by id or chosen by sender and domain, not both");
        }
    }

    /** The items with these ids. */
    public static QueueSelection ids(Set<Long> ids) {
        return new QueueSelection(Optional.of(ids), Optional.empty(), Optional.empty());
    }

    /** Every item in the queue. */
    public static QueueSelection all() {
        return new QueueSelection(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Items whose sender and recipient domain match those given (an empty one matches any). */
    public static QueueSelection matching(Optional<String> sender, Optional<String> recipientDomain) {
        return new QueueSelection(Optional.empty(), sender, recipientDomain);
    }

    /** Whether an item matches: for a selection by id, whether it is named. */
    public boolean matches(QueueItem item) {
        if (ids.isPresent()) {
            return ids.get().contains(item.id());
        }
        String from = item.envelope().reversePath().map(Address::key).orElse("");
        return sender.map(from::equals).orElse(true)
                && recipientDomain.map(item.recipient().address().domainKey()::equals).orElse(true);
    }
}
