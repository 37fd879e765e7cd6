package dev.mailwright.test.internal;

import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.Deliveries;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.ForwardingDelivery;
import dev.mailwright.store.ForwardingMailStore;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.OutboundQueue;
import dev.mailwright.store.QueueSelection;
import dev.mailwright.store.Recipients;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution;
import dev.mailwright.test.ReceivedEnvelope;
import dev.mailwright.test.ReceivedMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.function.Predicate;

/**
 * The store the test kit's servers use: the in-memory store, plus a record of every committed
 * transaction (its envelope and its content per mailbox) that tests wait on, and, when asked, any
 * user accepted (created on first use, as GreenMail does).
 *
 * <p>The copies of content it keeps are bounded: past {@code contentLimit} octets in all, the
 * oldest recorded messages lose their content (mailbox, size and envelope stay), and a message
 * larger than the limit is recorded without content from the start, never copied whole.
 */
public final class RecordingStore extends ForwardingMailStore {

    private final boolean acceptAnyUser;
    private final long contentLimit;
    private final List<ReceivedEnvelope> envelopes = new ArrayList<>();
    private final List<ReceivedMessage> messages = new ArrayList<>();
    private long contentKept;

    public RecordingStore(MailStore delegate, boolean acceptAnyUser, long contentLimit) {
        super(delegate);
        if (contentLimit < 0) {
            throw new IllegalArgumentException("negative content limit");
        }
        this.acceptAnyUser = acceptAnyUser;
        this.contentLimit = contentLimit;
    }

    /** Creates the domain and the account if missing (the password is the address, as GreenMail's). */
    public void ensureUser(Address address, char[] password) {
        ensureDomain(address.domain());
        if (delegate().accounts().get(address).isEmpty()) {
            try {
                delegate().accounts().add(address, password);
            } catch (AlreadyExistsException e) {
                // created meanwhile by another session
            }
        }
    }

    private void ensureDomain(String domain) {
        if (!delegate().domains().exists(domain)) {
            try {
                delegate().domains().add(domain);
            } catch (AlreadyExistsException e) {
                // created meanwhile
            }
        }
    }

    public boolean acceptsAnyUser() {
        return acceptAnyUser;
    }

    @Override
    public Recipients recipients() {
        Recipients r = delegate().recipients();
        if (!acceptAnyUser) {
            return r;
        }
        return new Recipients() {
            @Override
            public Resolution resolve(Address recipient) {
                ensureUser(recipient, recipient.toString().toCharArray());
                return r.resolve(recipient);
            }

            @Override
            public boolean isLocalDomain(String domain) {
                ensureDomain(domain);
                return true;
            }
        };
    }

    @Override
    public Deliveries deliveries() {
        Deliveries d = delegate().deliveries();
        return envelope -> new Recording(d.begin(envelope), envelope);
    }

    /** Every transaction committed so far, oldest first. */
    public synchronized List<ReceivedEnvelope> envelopes() {
        return List.copyOf(envelopes);
    }

    /** Every message stored so far, per mailbox, oldest first. */
    public synchronized List<ReceivedMessage> messages() {
        return List.copyOf(messages);
    }

    /**
     * Waits until {@code count} messages matching {@code which} were stored, or {@code timeout}
     * passed; returns those stored (at least {@code count}, or what came before the timeout).
     */
    public synchronized List<ReceivedMessage> await(Predicate<ReceivedMessage> which, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (;;) {
            List<ReceivedMessage> found = messages.stream().filter(which).toList();
            long left = deadline - System.nanoTime();
            if (found.size() >= count || left <= 0) {
                return found;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Forgets what was recorded (the store's content stays). */
    public synchronized void forget() {
        envelopes.clear();
        messages.clear();
        contentKept = 0;
    }

    /**
     * Empties every mailbox and the outbound queue and forgets what was recorded; accounts,
     * domains, aliases and the rest of the configuration stay.
     */
    public void purge() {
        MailStore s = delegate();
        for (Account a : s.accounts().list(Optional.empty())) {
            Set<Long> uids = s.mailboxes().list(a.id()).stream().map(MessageInfo::uid).collect(Collectors.toSet());
            if (!uids.isEmpty()) {
                s.mailboxes().delete(a.id(), uids);
            }
        }
        s.queue().change(OutboundQueue.Change.DELETE, QueueSelection.all());
        forget();
    }

    /** Records a committed transaction; {@code content} is null when it was larger than the limit. */
    private synchronized void committed(ReceivedEnvelope envelope, List<Address> mailboxes, byte[] content, long size) {
        envelopes.add(envelope);
        for (Address mailbox : mailboxes) {
            if (content == null) {
                messages.add(ReceivedMessage.contentNotKept(mailbox.toString(), size, envelope));
            } else {
                messages.add(new ReceivedMessage(mailbox.toString(), content, envelope));
                contentKept += content.length;
            }
        }
        for (int i = 0; contentKept > contentLimit && i < messages.size(); i++) {
            ReceivedMessage oldest = messages.get(i);
            if (oldest.hasContent()) {
                messages.set(i, oldest.withoutContent());
                contentKept -= oldest.size();
            }
        }
        notifyAll();
    }

    /** A delivery that keeps a copy of its content and reports its commit. */
    private final class Recording extends ForwardingDelivery {
        private final Envelope envelope;
        private final List<String> recipients = new ArrayList<>();
        private final List<RemoteRecipient> remote = new ArrayList<>();
        private final List<Address> mailboxes = new ArrayList<>();
        private final BoundedCopy copy = new BoundedCopy(contentLimit);
        private OutputStream content;

        Recording(Delivery delivery, Envelope envelope) {
            super(delivery);
            this.envelope = envelope;
        }

        @Override
        public void addLocal(Resolution.LocalRecipient recipient, long expectedSize) {
            super.addLocal(recipient, expectedSize);
            local(recipient);
        }

        @Override
        public void addLocal(Resolution.LocalRecipient recipient, Optional<String> uidl) {
            super.addLocal(recipient, uidl);
            local(recipient);
        }

        @Override
        public Resolution addRecipient(Address recipient, long expectedSize) {
            if (acceptAnyUser) {
                ensureUser(recipient, recipient.toString().toCharArray());
            }
            Resolution r = super.addRecipient(recipient, expectedSize);
            recipients.add(recipient.toString());
            r.local().forEach(l -> mailbox(l.mailbox()));
            return r;
        }

        @Override
        public boolean remembers(Address recipient) {
            return !acceptAnyUser && super.remembers(recipient);
        }

        @Override
        public void addRemote(RemoteRecipient recipient) {
            super.addRemote(recipient);
            remote.add(recipient);
            String address = recipient.address().toString();
            if (recipients.stream().noneMatch(a -> a.equalsIgnoreCase(address))) {
                recipients.add(address);
            }
        }

        private void local(Resolution.LocalRecipient recipient) {
            recipients.add(recipient.mailbox().toString());
            mailbox(recipient.mailbox());
        }

        private void mailbox(Address a) {
            if (!mailboxes.contains(a)) {
                mailboxes.add(a);
            }
        }

        /** The content as stored, copied on its way (test messages are small). */
        @Override
        public OutputStream content() {
            if (content == null) {
                content = new TeeOutputStream(super.content(), copy);
            }
            return content;
        }

        @Override
        public DeliveryReceipt commit() {
            DeliveryReceipt receipt = super.commit();
            committed(new ReceivedEnvelope(envelope.reversePath().map(Address::toString), recipients, remote,
                    envelope.ret().map(r -> r.toUpperCase(Locale.ROOT)), envelope.envId(), envelope.smtpUtf8(),
                    envelope.authenticated()), mailboxes, copy.content(), copy.size());
            return receipt;
        }
    }

    /** A copy of up to {@code limit} octets: past it, only the count goes on. */
    private static final class BoundedCopy extends OutputStream {
        private final long limit;
        private ByteArrayOutputStream copy = new ByteArrayOutputStream();
        private long size;

        BoundedCopy(long limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            size += len;
            if (copy != null && size > limit) {
                copy = null; // larger than everything the recorder may keep: not copied at all
            }
            if (copy != null) {
                copy.write(b, off, len);
            }
        }

        /** The octets written, or null when they were more than the limit. */
        byte[] content() {
            return copy != null ? copy.toByteArray() : null;
        }

        long size() {
            return size;
        }
    }

    /** Writes to the store's stream and to a copy. */
    private static final class TeeOutputStream extends OutputStream {
        private final OutputStream target;
        private final OutputStream copy;

        TeeOutputStream(OutputStream target, OutputStream copy) {
            this.target = target;
            this.copy = copy;
        }

        @Override
        public void write(int b) throws IOException {
            target.write(b);
            copy.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target.write(b, off, len);
            copy.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            target.flush();
        }

        @Override
        public void close() throws IOException {
            target.close();
        }
    }

    /** The account of {@code address}, if there is one. */
    public Optional<Account> account(Address address) {
        return delegate().accounts().get(address);
    }
}
