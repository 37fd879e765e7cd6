package dev.mailwright.outbound.dkim;

import dev.mailwright.store.Address;
import dev.mailwright.store.content.HeaderSection;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;
import org.apache.james.mime4j.field.address.TokenMgrError;

/** The author of a message, as DKIM signing vouches for it. */
public final class Author {

    private Author() {
    }

    /**
     * The author, when the section has exactly one From field naming exactly one mailbox, as
     * Apache James mime4j's strict RFC 5322 parser reads it (the same parser that checked the
     * submitter's right to it, ADR 0026). Anything else is not ours to vouch for.
     */
    public static Optional<Address> of(HeaderSection header) {
        List<String> from = header.get("From");
        if (from.size() != 1) {
            return Optional.empty(); // none, or several
        }
        String v = new String(HeaderSection.value(from.get(0)).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        try {
            List<Mailbox> mailboxes = DefaultAddressParser.DEFAULT.parseAddressList(v).flatten();
            if (mailboxes.size() != 1 || mailboxes.get(0).getDomain() == null) {
                return Optional.empty();
            }
            return Optional.of(new Address(mailboxes.get(0).getLocalPart(), mailboxes.get(0).getDomain()));
        } catch (ParseException | TokenMgrError | RuntimeException e) {
            return Optional.empty(); // unreadable, or no address ours can hold
        }
    }
}
