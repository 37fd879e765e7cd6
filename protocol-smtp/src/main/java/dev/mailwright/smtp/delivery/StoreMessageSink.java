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

/**
 * Delivery into the store: recipients are resolved at RCPT (local mailboxes, aliases,
 * catch-all, sub-addresses; quota checked then), remote ones are queued with their DSN
 * parameters, and {@link #commit()} is the store's single transaction.
 */
public final class StoreMessageSink implements MessageSink {

    private final SessionInfo session;
    private final long expectedSize;
    private final Delivery delivery;
    private boolean local;

    private StoreMessageSink(MailStore store, SessionInfo session, MailFrom from, Clock clock) {
        this.session = session;
        this.expectedSize = from.size().orElse(0);
        this.delivery = store.deliveries().begin(new Envelope(from.reversePath(), clock.instant(), from.ret(),
                from.envId(), from.smtpUtf8(), session.authenticatedUser()));
    }

    /** Opening a sink and dropping it ask nothing of the store ({@link dev.mailwright.store.Deliveries#begin}). */
    public static MessageSink.Factory factory(MailStore store, Clock clock) {
        return new MessageSink.Factory() {
            @Override
            public MessageSink open(SessionInfo session, MailFrom from) {
                return new StoreMessageSink(store, session, from, clock);
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
        Resolution resolution;
        try {
            // one store call: resolution, quota of the mailboxes it reaches, and adding them
            resolution = delivery.addRecipient(address, expectedSize);
        } catch (QuotaExceededException e) {
            throw new SmtpRejection(SmtpReply.MAILBOX_FULL);
        }
        if (!resolution.localDomain()) {
            if (session.authenticatedUser().isEmpty()) {
                throw new SmtpRejection(SmtpReply.RELAY_DENIED);
            }
            delivery.addRemote(new RemoteRecipient(address, rcpt.notifyOn(), rcpt.orcpt()));
            return;
        }
        if (resolution.isEmpty()) {
            throw new SmtpRejection(SmtpReply.NO_SUCH_USER);
        }
        for (Address remote : resolution.remote()) {
            delivery.addRemote(new RemoteRecipient(remote, rcpt.notifyOn(), rcpt.orcpt()));
        }
        local |= !resolution.local().isEmpty();
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
