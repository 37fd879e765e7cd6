package dev.mailwright.smtp.api;

import java.util.List;

/**
 * The originator fields of a message's header section (RFC 5322 3.6.2), as the end-of-data
 * hooks see them: each field's value unfolded, as written (not parsed).
 *
 * @param from   the value of each {@code From} field, in order
 * @param sender the value of each {@code Sender} field, in order
 * @param read   whether the header section was read at all: false on a listener that does not
 *               look at content (MX, unauthenticated) or for a header section past the size that is held
 */
public record OriginatorFields(List<String> from, List<String> sender, boolean read) {

    /** For content whose header section was not read. */
    public static final OriginatorFields UNREAD = new OriginatorFields(List.of(), List.of(), false);

    public OriginatorFields {
        from = List.copyOf(from);
        sender = List.copyOf(sender);
    }
}
