package dev.mailwright.smtp.delivery;

import dev.mailwright.protocol.srs.SenderRewriting;
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
 *
 * <p>With {@link SenderRewriting} (ADR 0027): mail from an unauthenticated client is queued with
 * its sender rewritten (SRS0/SRS1), since every remote recipient such a client reaches is an alias
 * that forwards off-site; and a recipient that is one of our SRS addresses is returned to the
 * address it hides, while a forged or expired one is refused.
 */
public final class StoreMessageSink implements MessageSink {

    /** A recipient that looks like one of our SRS addresses but whose hash is wrong or that expired. */
    static final SmtpReply BAD_SRS_ADDRESS = SmtpReply.of(550, "5.1.1",
            "Recipient address rejected: invalid or expired return address");

    private final SessionInfo session;
    private final long expectedSize;
    private final Delivery delivery;
    private final Optional<Address> postmaster;
    private final Optional<SenderRewriting> srs;
    private boolean local;

    private StoreMessageSink(MailStore store, SessionInfo session, MailFrom from, Clock clock,
                             Optional<Address> postmaster, Optional<SenderRewriting> srs) {
        this.session = session;
        this.postmaster = postmaster;
        this.srs = srs;
        this.expectedSize = from.size().orElse(0);
        Optional<Address> sender = from.reversePath();
        if (srs.isPresent() && sender.isPresent() && session.authenticatedUser().isEmpty()) {
            // the envelope's sender is used for queued copies only, and the MX queues only forwarded ones
            sender = srs.get().forward(sender.get()).or(from::reversePath);
        }
        this.delivery = store.deliveries().begin(new Envelope(sender, clock.instant(), from.ret(),
                from.envId(), from.smtpUtf8(), session.authenticatedUser(), from.requireTls()));
    }

    /**
     * Opening a sink and dropping it ask nothing of the store ({@link dev.mailwright.store.Deliveries#begin}).
     *
     * @param postmaster where mail for {@code postmaster@} a hosted domain without one of its own goes
     *                   ({@link dev.mailwright.smtp.api.SmtpSettings#postmaster()})
     */
    public static MessageSink.Factory factory(MailStore store, Clock clock, Optional<Address> postmaster) {
        return factory(store, clock, postmaster, Optional.empty());
    }

    /** As {@link #factory(MailStore, Clock, Optional)}, rewriting forwarded senders with {@code srs}. */
    public static MessageSink.Factory factory(MailStore store, Clock clock, Optional<Address> postmaster,
                                              Optional<SenderRewriting> srs) {
        return new MessageSink.Factory() {
            @Override
            public MessageSink open(SessionInfo session, MailFrom from) {
                return new StoreMessageSink(store, session, from, clock, postmaster, srs);
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
        boolean returned = false;
        if (srs.isPresent()) {
            SenderRewriting.Reversed r = srs.get().reverse(address);
            if (r instanceof SenderRewriting.Reversed.Refused) {
                throw new SmtpRejection(BAD_SRS_ADDRESS);
            }
            if (r instanceof SenderRewriting.Reversed.Original original) {
                address = original.address();
                returned = true;
            }
        }
        Resolution resolution = resolve(address);
        if (!resolution.localDomain()) {
            if (session.authenticatedUser().isEmpty() && !returned) {
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
