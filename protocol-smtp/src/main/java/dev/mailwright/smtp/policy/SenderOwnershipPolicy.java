package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.OriginatorFields;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.Senders;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;
import org.apache.james.mime4j.field.address.TokenMgrError;

/**
 * An authenticated user may only send as an address it may use (ADR 0026): MAIL FROM at MAIL,
 * and every address of the header From and Sender fields at the end of the content, so that a
 * message the user could not have written in its own name is neither stored, queued nor signed.
 * Which addresses a user may use is the store's rule ({@link Senders}), or whatever the
 * embedder's predicate says.
 *
 * <p>The null reverse path {@code <>} is allowed at MAIL (a client sends receipts and
 * auto-replies with it); its header From is checked like any other. A message without a From
 * field passes (it claims no author; nothing signs it). The header fields are parsed by Apache
 * James mime4j's strict RFC 5322 address parser: what it cannot parse is refused, because a
 * receiver might read an address out of it that this check did not see. Unauthenticated
 * sessions are not this hook's business.
 */
public final class SenderOwnershipPolicy implements SmtpPolicy {

    static final SmtpReply NOT_OWNED = SmtpReply.of(550, "5.7.1", "Sender address rejected: not owned by the authenticated user");
    static final SmtpReply HEADER_NOT_OWNED = SmtpReply.of(550, "5.7.1",
            "From or Sender header address not owned by the authenticated user");
    static final SmtpReply HEADER_UNREADABLE = SmtpReply.of(550, "5.7.1",
            "From or Sender header could not be checked: not a list of addresses, or the header section is too large");

    private final BiPredicate<String, Address> owns;

    /** @param owns whether user (as authenticated) may send as the address */
    public SenderOwnershipPolicy(BiPredicate<String, Address> owns) {
        this.owns = owns;
    }

    /** The store's rule: own address, aliases that deliver to it (no catch-all), grants. */
    public static BiPredicate<String, Address> ownedVia(Senders senders) {
        return (user, sender) -> {
            try {
                return senders.maySendAs(Address.parse(user), sender);
            } catch (InvalidInputException e) {
                return false;
            }
        };
    }

    /** Only the user's own address. */
    public static BiPredicate<String, Address> exactAddress() {
        return (user, sender) -> {
            try {
                return Address.parse(user).key().equals(sender.key());
            } catch (InvalidInputException e) {
                return false;
            }
        };
    }

    /** Asks the store at MAIL and at the end of data, of an authenticated session only. */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return (stage == Stage.MAIL || stage == Stage.END_OF_DATA) && session.authenticatedUser().isPresent();
    }

    @Override
    public PolicyResult mail(SessionInfo session, MailFrom from) {
        if (session.authenticatedUser().isEmpty() || from.reversePath().isEmpty()) {
            return PolicyResult.NO_OPINION;
        }
        return owns.test(session.authenticatedUser().get(), from.reversePath().get())
                ? PolicyResult.NO_OPINION : PolicyResult.reject(NOT_OWNED);
    }

    @Override
    public PolicyResult endOfData(SessionInfo session, MailFrom from, List<RcptTo> recipients, long size,
                                  OriginatorFields originators) {
        if (session.authenticatedUser().isEmpty()) {
            return PolicyResult.NO_OPINION;
        }
        if (!originators.read()) {
            return PolicyResult.reject(HEADER_UNREADABLE);
        }
        List<String> fields = new ArrayList<>(originators.from());
        fields.addAll(originators.sender());
        String user = session.authenticatedUser().get();
        for (String field : fields) {
            Optional<List<Address>> addresses = addresses(field);
            if (addresses.isEmpty()) {
                return PolicyResult.reject(HEADER_UNREADABLE);
            }
            for (Address a : addresses.get()) {
                if (!owns.test(user, a)) {
                    return PolicyResult.reject(HEADER_NOT_OWNED);
                }
            }
        }
        return PolicyResult.NO_OPINION;
    }

    /**
     * The mailboxes of an address-list field value (groups flattened), by mime4j's strict parser;
     * empty when it is not one, or lists none. Also what mail authentication reads the author with.
     */
    public static Optional<List<Address>> addresses(String value) {
        try {
            List<Mailbox> mailboxes = DefaultAddressParser.DEFAULT.parseAddressList(value).flatten();
            if (mailboxes.isEmpty()) {
                return Optional.empty();
            }
            List<Address> out = new ArrayList<>();
            for (Mailbox m : mailboxes) {
                if (m.getDomain() == null || m.getDomain().isEmpty()) {
                    return Optional.empty();
                }
                out.add(new Address(m.getLocalPart(), m.getDomain()));
            }
            return Optional.of(out);
        } catch (ParseException | TokenMgrError | RuntimeException e) {
            // not an address list, a lexical error, or an address ours cannot hold (InvalidInputException)
            return Optional.empty();
        }
    }
}
