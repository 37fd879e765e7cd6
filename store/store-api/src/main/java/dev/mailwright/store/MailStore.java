package dev.mailwright.store;

/**
 * The message store: domains, accounts, aliases, delivery, the POP3 maildrop and the
 * outbound queue, each behind a narrow interface shaped by the protocol that uses it.
 *
 * <p>Every method may throw {@link StoreUnavailableException} when the backing database
 * cannot answer; then nothing was changed. Other {@link StoreException}s are permanent.
 * Implementations are thread-safe.
 */
public interface MailStore extends AutoCloseable {

    Domains domains();

    Accounts accounts();

    Aliases aliases();

    /** Expands an envelope recipient to local mailboxes and remote addresses. */
    Recipients recipients();

    Deliveries deliveries();

    Maildrops maildrops();

    OutboundQueue queue();

    /** The administrator's read and purge view of mailboxes. */
    Mailboxes mailboxes();

    /** The DKIM signing keys of our domains. */
    DkimKeys dkimKeys();

    /** Secrets the nodes share (the SRS key). */
    Secrets secrets();

    /** Which sender addresses an authenticated user may use, and the grants behind it. */
    Senders senders();

    /** The counters of SMTP TLS reports (RFC 8460). */
    TlsReports tlsReports();

    /** Greylisting triplets every node shares. */
    Greylist greylist();

    /** Counters per key and window every node shares (sending limits). */
    RateCounters rateCounters();

    /** Releases pools and files; the store is unusable afterwards. */
    @Override
    void close();
}
