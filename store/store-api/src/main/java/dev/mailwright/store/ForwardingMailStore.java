package dev.mailwright.store;

import java.util.Objects;

/**
 * A store that hands every call to another one; subclasses override only what they change
 * (closing something else as well, noticing commits, injecting failures in tests). A view added
 * to {@link MailStore} is added here once, so no wrapper can forget to pass it on.
 */
public abstract class ForwardingMailStore implements MailStore {

    private final MailStore delegate;

    protected ForwardingMailStore(MailStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** The store calls are handed to. */
    protected MailStore delegate() {
        return delegate;
    }

    @Override
    public Domains domains() {
        return delegate.domains();
    }

    @Override
    public Accounts accounts() {
        return delegate.accounts();
    }

    @Override
    public Aliases aliases() {
        return delegate.aliases();
    }

    @Override
    public Recipients recipients() {
        return delegate.recipients();
    }

    @Override
    public Deliveries deliveries() {
        return delegate.deliveries();
    }

    @Override
    public Maildrops maildrops() {
        return delegate.maildrops();
    }

    @Override
    public OutboundQueue queue() {
        return delegate.queue();
    }

    @Override
    public Mailboxes mailboxes() {
        return delegate.mailboxes();
    }

    @Override
    public DkimKeys dkimKeys() {
        return delegate.dkimKeys();
    }

    @Override
    public Greylist greylist() {
        return delegate.greylist();
    }

    @Override
    public RateCounters rateCounters() {
        return delegate.rateCounters();
    }

    @Override
    public Secrets secrets() {
        return delegate.secrets();
    }

    @Override
    public Senders senders() {
        return delegate.senders();
    }

    @Override
    public TlsReports tlsReports() {
        return delegate.tlsReports();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
