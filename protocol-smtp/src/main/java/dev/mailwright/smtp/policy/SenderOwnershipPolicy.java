package dev.mailwright.smtp.policy;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.Address;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.Recipients;
import java.util.function.BiPredicate;

/**
 * An authenticated user may only send as an address it owns: its own address, or one that
 * resolves to its own mailbox (an alias), or whatever the configured rule allows. The null
 * sender {@code <>} is allowed (bounces and receipts). Unauthenticated sessions are not this
 * hook's business.
 */
public final class SenderOwnershipPolicy implements SmtpPolicy {

    static final SmtpReply NOT_OWNED = SmtpReply.of(553, "5.7.1", "Sender address rejected: not owned by the authenticated user");

    private final BiPredicate<String, Address> owns;

    /** @param owns whether user (as authenticated) may send as the address */
    public SenderOwnershipPolicy(BiPredicate<String, Address> owns) {
        this.owns = owns;
    }

    /** The user's own address, or one that resolves to the user's mailbox. */
    public static BiPredicate<String, Address> ownedVia(Recipients recipients) {
        return (user, sender) -> {
            Address self;
            try {
                self = Address.parse(user);
            } catch (InvalidInputException e) {
                return false;
            }
            if (self.key().equals(sender.key())) {
                return true;
            }
            return recipients.isLocalDomain(sender.domain())
                    && recipients.resolve(sender).local().stream().anyMatch(l -> l.mailbox().key().equals(self.key()));
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

    /** Asks the store which addresses a user owns: at MAIL of an authenticated session only. */
    @Override
    public boolean mayBlock(Stage stage, SessionInfo session) {
        return stage == Stage.MAIL && session.authenticatedUser().isPresent();
    }

    @Override
    public PolicyResult mail(SessionInfo session, MailFrom from) {
        if (session.authenticatedUser().isEmpty() || from.reversePath().isEmpty()) {
            return PolicyResult.NO_OPINION;
        }
        return owns.test(session.authenticatedUser().get(), from.reversePath().get())
                ? PolicyResult.NO_OPINION : PolicyResult.reject(NOT_OWNED);
    }
}
