package dev.mailwright.smtp.delivery;

import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SessionInfo;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.QuotaExceededException;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution;
import java.io.OutputStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

/**
 * Delivery into the store: recipients are resolved at RCPT (local mailboxes, aliases,
 * catch-all, sub-addresses; quota checked then), remote ones are queued with their DSN
 * parameters, and {@link #commit()} is the store's single transaction. {@code postmaster@} a hosted
 * domain that has no such mailbox or alias goes to the configured postmaster (RFC 5321 4.5.1).
 */
public final class StoreMessageSink implements MessageSink {

    private final SessionInfo session;
    private final long expectedSize;
    private final Delivery delivery;
    private final Optional<Address> postmaster;
    private boolean local;

    private StoreMessageSink(MailStore store, SessionInfo session, MailFrom from, Clock clock,
                             Optional<Address> postmaster) {
        this.session = session;
        this.postmaster = postmaster;
        this.expectedSize = from.size().orElse(0);
        this.delivery = store.deliveries().begin(new Envelope(from.reversePath(), clock.instant(), from.ret(),
                from.envId(), from.smtpUtf8(), session.authenticatedUser()));
    }

    /**
     * Opening a sink and dropping it ask nothing of the store ({@link dev.mailwright.store.Deliveries#begin}).
     *
     * @param postmaster where mail for {@code postmaster@} a hosted domain without one of its own goes
     *                   ({@link dev.mailwright.smtp.api.SmtpSettings#postmaster()})
     */
    public static MessageSink.Factory factory(MailStore store, Clock clock, Optional<Address> postmaster) {
        return new MessageSink.Factory() {
            @Override
            public MessageSink open(SessionInfo session, MailFrom from) {
                return new StoreMessageSink(store, session, from, clock, postmaster);
            }

            @Override
            public boolean opensWithoutBlocking() {
                return true;
            }
        };
    }

    @Override
    public void recipient(RcptTo rcpt) {
        Address address = rcpt.address();
        Resolution resolution = resolve(address);
        if (!resolution.localDomain()) {
            if (session.authenticatedUser().isEmpty()) {
                throw new SmtpRejection(SmtpReply.RELAY_DENIED);
            }
            delivery.addRemote(new RemoteRecipient(address, rcpt.notifyOn(), rcpt.orcpt()));
            return;
        }
        if (resolution.isEmpty() && postmaster.isPresent() && isPostmaster(address)) {
            resolution = resolve(postmaster.get());
        }
        if (resolution.isEmpty()) {
            throw new SmtpRejection(SmtpReply.NO_SUCH_USER);
        }
        for (Address remote : resolution.remote()) {
            delivery.addRemote(new RemoteRecipient(remote, rcpt.notifyOn(), rcpt.orcpt()));
        }
        local |= !resolution.local().isEmpty();
    }

    /** One store call: the resolution, the quota of the mailboxes it reaches, and adding them. */
    private Resolution resolve(Address address) {
        try {
            return delivery.addRecipient(address, expectedSize);
        } catch (QuotaExceededException e) {
            throw new SmtpRejection(SmtpReply.MAILBOX_FULL);
        }
    }

    /** The reserved local part, in any case (RFC 5321 4.5.1). */
    private static boolean isPostmaster(Address address) {
        return address.localPart().toLowerCase(Locale.ROOT).equals("postmaster");
    }

    /** When the store remembers how the address resolves (and keeps that for {@link #recipient}). */
    @Override
    public boolean recipientWithoutBlocking(RcptTo rcpt) {
        return delivery.remembers(rcpt.address());
    }

    @Override
    public boolean delivers() {
        return local;
    }

    @Override
    public OutputStream content() {
        return delivery.content();
    }

    @Override
    public String commit() {
        return "stored as message " + delivery.commit().messageId();
    }

    @Override
    public void abort() {
        delivery.close();
    }
}
