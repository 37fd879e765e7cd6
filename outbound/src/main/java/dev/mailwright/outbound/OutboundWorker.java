package dev.mailwright.outbound;

import dev.mailwright.outbound.OutboundConfig.Smarthost;
import dev.mailwright.outbound.internal.Backoff;
import dev.mailwright.outbound.internal.BounceLimiter;
import dev.mailwright.outbound.internal.CheckedTls;
import dev.mailwright.outbound.mtasts.MtaStsPolicies;
import dev.mailwright.outbound.mtasts.MtaStsPolicy;
import dev.mailwright.outbound.tlsrpt.TlsResults;
import dev.mailwright.outbound.internal.DeliveryReport;
import dev.mailwright.outbound.internal.Outcome;
import dev.mailwright.outbound.internal.PreparedMessage;
import dev.mailwright.outbound.internal.SmtpClient;
import dev.mailwright.protocol.srs.SenderRewriting;
import dev.mailwright.protocol.tls.OpportunisticTls;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DkimKey;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.QueueItem;
import dev.mailwright.store.QuotaExceededException;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains the store's outbound queue: claims due items with a lease (so any number of workers on
 * any number of nodes share one queue and never deliver an item twice at once), delivers each
 * message to each destination over one SMTP connection, and records per recipient: delivered
 * (the item leaves the queue), a temporary failure (retried with exponential backoff and jitter
 * until {@link OutboundConfig#maxAge()}), or a permanent failure. Senders get one DSN per
 * message for all the recipients that failed, and once a delay warning, as their DSN
 * NOTIFY asks; a message with the null reverse path (a bounce) is never bounced. Mail from a
 * domain with a DKIM key is signed.
 *
 * <pre>{@code
 * OutboundConfig config = OutboundConfig.builder("mail.example.org").build();
 * try (OutboundWorker worker = new OutboundWorker(store, new DnsMxResolver(new DnsjavaLookup(Duration.ofSeconds(5))), config, Clock.systemUTC())) {
 *     worker.start();
 *     ...
 *     worker.wakeUp(); // after queueing mail, to deliver at once rather than at the next poll
 * }
 * }</pre>
 */
public final class OutboundWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundWorker.class);

    private final MailStore store;
    private final OutboundMetrics metrics;
    private final MxResolver resolver;
    private final OutboundConfig config;
    private final Clock clock;
    private final String id;
    private final Backoff backoff;
    private final Transfer transfer;
    private final BounceLimiter bounceLimiter;
    private final ExecutorService pool;
    private final Set<SmtpClient> active = ConcurrentHashMap.newKeySet();
    private final Set<QueueItem> held = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService leases;
    private final Map<String, Semaphore> destinations = new ConcurrentHashMap<>();
    private final AtomicInteger inflight = new AtomicInteger();
    private final Object signal = new Object();
    private boolean woken;
    private volatile boolean stopping;
    private volatile boolean aborting;
    private Thread poller;
    private Instant lastSweep; // poller thread only

    public OutboundWorker(MailStore store, MxResolver resolver, OutboundConfig config, Clock clock) {
        this(store, resolver, config, clock, OutboundMetrics.NONE);
    }

    /** A worker that reports what it does to {@code metrics}. */
    public OutboundWorker(MailStore store, MxResolver resolver, OutboundConfig config, Clock clock,
                          OutboundMetrics metrics) {
        this.store = store;
        this.metrics = metrics;
        this.resolver = resolver;
        this.config = config;
        this.clock = clock;
        this.id = config.hostname() + "/" + UUID.randomUUID().toString().substring(0, 8);
        this.backoff = new Backoff(config.firstRetry(), config.maxRetryInterval(), new SecureRandom());
        this.bounceLimiter = new BounceLimiter(config.bounceLimits());
        this.transfer = new Transfer(config, anyCertificate(), CheckedTls.trusting(config.trustStore().orElse(null)),
                config.tlsResults(), active::add, active::remove, metrics);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(config.concurrency(), r -> {
            Thread t = new Thread(r, "outbound-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.leases = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "outbound-leases");
            t.setDaemon(true);
            return t;
        });
        long period = Math.max(1000, config.lease().toMillis() / 3);
        leases.scheduleWithFixedDelay(this::renewLeases, period, period, TimeUnit.MILLISECONDS);
        leases.scheduleWithFixedDelay(() -> transfer.closeIdle(false), 1, 1, TimeUnit.SECONDS);
    }

    /** The name this worker claims queue items under. */
    public String id() {
        return id;
    }

    /** Starts polling the queue in the background. */
    public synchronized void start() {
        if (poller != null) {
            throw new IllegalStateException("already started");
        }
        if (stopping) {
            throw new IllegalStateException("closed");
        }
        poller = new Thread(this::poll, "outbound-poller");
        poller.setDaemon(true);
        poller.start();
    }

    /** Looks for due items now instead of at the next poll (after mail was queued). */
    public void wakeUp() {
        synchronized (signal) {
            woken = true;
            signal.notifyAll();
        }
    }

    /**
     * Claims the items due now and delivers them before returning, whether or not the worker
     * was started; returns how many items were handled. For tests and a "flush the queue" command.
     */
    public int runOnce() {
        List<QueueItem> items = store.queue().claim(id, config.batchSize(), config.lease());
        held.addAll(items);
        List<Future<?>> jobs = new ArrayList<>();
        for (List<QueueItem> message : byMessage(items)) {
            jobs.add(pool.submit(() -> deliverMessage(message)));
        }
        for (Future<?> f : jobs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                LOG.error("outbound delivery failed unexpectedly", e.getCause());
            }
        }
        sweepBounces();
        return items.size();
    }

    /**
     * Stops: no new deliveries; running ones get {@link OutboundConfig#shutdownGrace()} to finish,
     * then their connections are cut and their items given back to the queue (claimable at once,
     * no attempt counted). Items claimed but not started are given back too.
     */
    @Override
    public void close() {
        Thread p;
        synchronized (this) {
            stopping = true;
            p = poller;
        }
        wakeUp();
        if (p != null) {
            try {
                p.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        pool.shutdown();
        try {
            if (!pool.awaitTermination(config.shutdownGrace().toMillis(), TimeUnit.MILLISECONDS)) {
                aborting = true;
                transfer.abort();
                active.forEach(SmtpClient::close);
                if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                    pool.shutdownNow();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            pool.shutdownNow();
        } finally {
            leases.shutdownNow(); // renewed while deliveries ran
            transfer.closeIdle(true);
        }
    }

    // ------------------------------------------------------------------ polling

    private void poll() {
        while (!stopping) {
            int claimed = 0;
            if (inflight.get() < config.concurrency()) {
                try {
                    claimed = dispatch();
                } catch (StoreException e) {
                    LOG.warn("outbound worker {} cannot claim queue items: {}", id, e.getMessage());
                } catch (RuntimeException e) {
                    LOG.error("outbound worker {} failed to claim queue items", id, e);
                }
            }
            synchronized (signal) {
                if (!woken && !stopping && (claimed == 0 || inflight.get() >= config.concurrency())) {
                    try {
                        signal.wait(config.pollInterval().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                woken = false;
            }
        }
    }

    private int dispatch() {
        Instant now = clock.instant();
        if (lastSweep == null || !now.isBefore(lastSweep.plus(config.pollInterval()))) {
            lastSweep = now;
            sweepBounces();
        }
        List<QueueItem> items = store.queue().claim(id, config.batchSize(), config.lease());
        held.addAll(items);
        for (List<QueueItem> message : byMessage(items)) {
            inflight.incrementAndGet();
            try {
                pool.execute(() -> {
                    try {
                        deliverMessage(message);
                    } finally {
                        inflight.decrementAndGet();
                        wakeUp();
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                inflight.decrementAndGet();
                abandon(message);
            }
        }
        return items.size();
    }

    private static List<List<QueueItem>> byMessage(List<QueueItem> items) {
        Map<Long, List<QueueItem>> groups = new LinkedHashMap<>();
        for (QueueItem i : items) {
            groups.computeIfAbsent(i.messageId(), k -> new ArrayList<>()).add(i);
        }
        return new ArrayList<>(groups.values());
    }

    // ------------------------------------------------------------------ one message

    private void deliverMessage(List<QueueItem> items) {
        try {
            if (stopping) {
                abandon(items);
                return;
            }
            record(items, attempt(items));
        } catch (RuntimeException e) {
            // the store failed: nothing was recorded; the lease runs out and the items come back
            LOG.error("outbound worker {}: delivery of message {} could not be recorded", id, items.get(0).messageId(), e);
        } finally {
            items.forEach(held::remove);
        }
    }

    /** Keeps the leases of the items this worker holds from running out during long deliveries. */
    void renewLeases() {
        for (QueueItem item : List.copyOf(held)) {
            try {
                store.queue().renew(item.id(), id, config.lease());
            } catch (LeaseLostException e) {
                if (held.contains(item)) {
                    LOG.warn("outbound {}: lost the lease of queue item {} during its delivery", id, item.id());
                }
            } catch (RuntimeException e) {
                LOG.debug("could not renew the lease of queue item {}", item.id(), e);
            }
        }
    }

    private Map<Long, Outcome> attempt(List<QueueItem> items) {
        long messageId = items.get(0).messageId();
        Envelope envelope = items.get(0).envelope();
        Map<Long, Outcome> outcomes = new LinkedHashMap<>();
        Map<String, List<QueueItem>> byDomain = new LinkedHashMap<>();
        items.forEach(i -> byDomain.computeIfAbsent(i.domain(), d -> new ArrayList<>()).add(i));
        PreparedMessage prepared = null;
        for (Map.Entry<String, List<QueueItem>> e : byDomain.entrySet()) {
            String domain = e.getKey();
            List<QueueItem> group = e.getValue();
            List<Transfer.Target> targets = new ArrayList<>();
            Outcome routeFailure = null;
            Optional<Smarthost> smarthost = config.smarthostFor(domain);
            if (smarthost.isPresent()) {
                targets.add(new Transfer.Target(smarthost.get().host(), smarthost.get().port(), smarthost));
            } else {
                try {
                    for (MxResolver.MxHost h : resolver.resolve(domain)) {
                        targets.add(new Transfer.Target(h.host(), h.port() == 0 ? config.mxPort() : h.port(),
                                Optional.empty()));
                    }
                } catch (MxResolver.PermanentFailure f) {
                    routeFailure = Outcome.permanent("5.1.2", f.getMessage());
                } catch (MxResolver.TemporaryFailure f) {
                    routeFailure = Outcome.temporary("4.4.3", f.getMessage());
                } catch (RuntimeException f) {
                    LOG.warn("MX lookup of {} failed", domain, f);
                    routeFailure = Outcome.temporary("4.4.3", "MX lookup of " + domain + " failed");
                }
            }
            if (routeFailure == null && prepared == null) {
                try {
                    prepared = PreparedMessage.scan(() -> store.queue().openContent(messageId),
                            from -> signingKey(envelope, from), clock);
                } catch (IOException | UncheckedIOException | StoreException x) {
                    LOG.warn("cannot read queued message {}: {}", messageId, x.getMessage());
                    routeFailure = Outcome.temporary("4.3.0", "the queued message could not be read");
                }
            }
            if (routeFailure != null) {
                for (QueueItem i : group) {
                    outcomes.put(i.id(), routeFailure);
                }
                continue;
            }
            Semaphore limit = destinations.computeIfAbsent(domain, d -> new Semaphore(config.perDestination()));
            try {
                limit.acquire();
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
                group.forEach(i -> outcomes.put(i.id(), Outcome.temporary("4.3.0", "interrupted")));
                continue;
            }
            Transfer.Security security = new Transfer.Security(Optional.empty(), envelope.requireTls());
            if (envelope.requireTls() && prepared.tlsOptional()) {
                // RFC 8689 5: REQUIRETLS wins over the header; the message stays as it is
                LOG.info("message {} has REQUIRETLS and TLS-Required: No; REQUIRETLS applies", messageId);
            }
            boolean policyApplies = envelope.requireTls() || !prepared.tlsOptional();
            if (smarthost.isEmpty() && config.mtaSts().isPresent() && policyApplies) {
                try {
                    MtaStsPolicies.Lookup l = config.mtaSts().get().lookup(domain);
                    l.failure().ifPresent(f -> config.tlsResults().record(TlsResults.Result.failure(domain,
                            Optional.empty(), f.kind() == MtaStsPolicies.Failure.Kind.INVALID ? "sts-policy-invalid"
                                    : "sts-policy-fetch-error", Optional.empty(), f.detail())));
                    security = new Transfer.Security(l.policy().filter(p -> p.mode() != MtaStsPolicy.Mode.NONE),
                            envelope.requireTls());
                } catch (RuntimeException x) {
                    LOG.warn("MTA-STS lookup of {} failed", domain, x);
                }
            }
            try {
                outcomes.putAll(transfer.deliver(domain, targets, prepared, envelope, group, security));
            } catch (RuntimeException x) {
                // a bug or a broken message, not the peer's doing: retry later, details in the log only
                LOG.error("outbound {}: delivery of message {} to {} failed", id, messageId, domain, x);
                group.forEach(i -> outcomes.put(i.id(), Outcome.temporary("4.3.0", "local error while sending")));
            } finally {
                limit.release();
            }
        }
        return outcomes;
    }

    /**
     * The key to sign a message with: its From domain's, but only when the authenticated submitter
     * may send as that From (ADR 0026). Submission refuses anything else already; this is the
     * second wall, so that no other way into the queue (a forwarded message, a policy switched
     * off) gets our signature on an author nobody vouched for.
     */
    private Optional<DkimKey> signingKey(Envelope envelope, Address from) {
        Optional<Address> submitter = envelope.authenticated().flatMap(OutboundWorker::address);
        if (submitter.isEmpty() || !store.senders().maySendAs(submitter.get(), from)) {
            return Optional.empty();
        }
        return store.dkimKeys().signingKey(from.domainKey());
    }

    private static Optional<Address> address(String text) {
        try {
            return Optional.of(Address.parse(text));
        } catch (InvalidInputException e) {
            return Optional.empty();
        }
    }

    /**
     * Records each item, after the delay and relay reports (which quote the message). A recipient
     * that failed for good and whose sender wants to hear of it stays in the queue as FAILED; once
     * no recipient of the message is pending, one DSN reports them all ({@link #bounce}).
     */
    private void record(List<QueueItem> items, Map<Long, Outcome> outcomes) {
        Instant now = clock.instant();
        Envelope envelope = items.get(0).envelope();
        long messageId = items.get(0).messageId();
        boolean toSender = envelope.reversePath().isPresent();
        List<DeliveryReport.Entry> delayed = new ArrayList<>();
        List<DeliveryReport.Entry> relayed = new ArrayList<>();
        Map<QueueItem, Runnable> updates = new LinkedHashMap<>();
        boolean pending = false;
        Instant retryUntil = null;
        for (QueueItem item : items) {
            Outcome o = outcomes.getOrDefault(item.id(), Outcome.temporary("4.3.0", "not attempted"));
            LOG.info("outbound {} message {} to <{}>: {} {}", id, messageId, item.recipient().address(), o.kind(),
                    o.describe());
            if (aborting && o.kind() == Outcome.Kind.TEMPORARY) {
                updates.put(item, () -> store.queue().abandon(item.id(), id));
                pending = true;
                continue;
            }
            Instant expiry = item.created().plus(config.maxAge());
            switch (o.kind()) {
                case DELIVERED -> {
                    metrics.attempt(OutboundMetrics.Result.DELIVERED);
                    metrics.delivered(Duration.between(item.created(), now));
                    if (item.recipient().notifyOn().contains("SUCCESS") && !o.dsnPassedOn()) {
                        relayed.add(DeliveryReport.Entry.of(item, o, now));
                    }
                    updates.put(item, () -> store.queue().complete(item.id(), id));
                }
                case PERMANENT -> {
                    metrics.attempt(OutboundMetrics.Result.BOUNCED);
                    fail(item, o, o.describe(), now, updates);
                }
                case TEMPORARY -> {
                    if (!now.isBefore(expiry)) {
                        Outcome expired = new Outcome(Outcome.Kind.PERMANENT, "4.4.7", "gave up after "
                                + config.maxAge().toHours() + " hours; last error: " + o.text(), o.remoteMta(),
                                o.smtpReply());
                        metrics.attempt(OutboundMetrics.Result.BOUNCED);
                        fail(item, expired, "expired: " + o.describe(), now, updates);
                    } else {
                        metrics.attempt(OutboundMetrics.Result.DEFERRED);
                        pending = true;
                        boolean warn = config.delayWarningAfter().isPresent() && !item.delayWarned()
                                && !now.isBefore(item.created().plus(config.delayWarningAfter().get()))
                                && notifies(item, "DELAY") && toSender;
                        if (warn) {
                            delayed.add(DeliveryReport.Entry.of(item, o, now));
                            retryUntil = expiry;
                        }
                        Instant next = now.plus(backoff.delay(item.attempts()));
                        Instant due = next.isAfter(expiry) ? expiry : next;
                        updates.put(item, () -> store.queue().reschedule(item.id(), id, due, o.describe()));
                    }
                }
            }
        }
        if (toSender) {
            if (!delayed.isEmpty() && claimDelayWarning(messageId)) {
                report(DeliveryReport.Action.DELAYED, messageId, envelope, delayed, retryUntil, Set.of());
            }
            if (!relayed.isEmpty()) {
                report(DeliveryReport.Action.RELAYED, messageId, envelope, relayed, null, Set.of());
            }
        }
        for (Map.Entry<QueueItem, Runnable> u : updates.entrySet()) {
            try {
                u.getValue().run();
            } catch (LeaseLostException e) {
                LOG.warn("outbound {}: lost queue item {} to another worker before recording it", id, u.getKey().id());
            }
        }
        // Failures of other attempts or claims may be waiting too, so look whenever nothing of ours stays
        // pending; what is missed here (a crash, a DSN that could not be stored) sweepBounces finds.
        if (toSender && !pending) {
            bounce(messageId);
        }
    }

    /** A failure for good: kept for the message's one DSN if the sender is to hear of it, else dropped. */
    private void fail(QueueItem item, Outcome o, String reason, Instant now, Map<QueueItem, Runnable> updates) {
        if (item.envelope().reversePath().isPresent() && notifies(item, "FAILURE")) {
            QueueItem.Failure failure = DeliveryReport.Entry.of(item, o, now).failure();
            updates.put(item, () -> store.queue().failForBounce(item.id(), id, reason, failure));
        } else {
            updates.put(item, () -> store.queue().fail(item.id(), id, reason));
        }
    }

    private boolean claimDelayWarning(long messageId) {
        try {
            return store.queue().claimDelayWarning(messageId);
        } catch (RuntimeException e) {
            LOG.warn("outbound {}: cannot record the delay warning of message {}: {}", id, messageId, e.toString());
            return false;
        }
    }

    /**
     * Sends the one DSN for the failed recipients of a message once none of its recipients is
     * pending. The DSN and the removal of the failures it reports commit together
     * ({@link Delivery#settles}), so when several workers get here at once exactly one DSN is stored.
     */
    private void bounce(long messageId) {
        List<QueueItem> failed;
        try {
            failed = store.queue().bounceDue(messageId);
        } catch (RuntimeException e) {
            LOG.warn("outbound {}: cannot look for failures of message {}: {}", id, messageId, e.toString());
            return;
        }
        if (failed.isEmpty()) {
            return;
        }
        Set<Long> ids = new java.util.TreeSet<>();
        List<DeliveryReport.Entry> entries = new ArrayList<>();
        for (QueueItem i : failed) {
            ids.add(i.id());
            entries.add(DeliveryReport.Entry.ofFailed(i));
        }
        report(DeliveryReport.Action.FAILED, messageId, failed.get(0).envelope(), entries, null, ids);
    }

    /** Bounces that are due but were not sent (a worker died, or the DSN could not be stored): sends them. */
    void sweepBounces() {
        List<Long> due;
        try {
            due = store.queue().bouncesDue(clock.instant().minus(config.firstRetry()), config.batchSize());
        } catch (RuntimeException e) {
            LOG.warn("outbound {}: cannot look for due bounces: {}", id, e.toString());
            return;
        }
        due.forEach(this::bounce);
    }

    /** RFC 3461 4.1: without NOTIFY, failures and delays are reported; NEVER reports nothing. */
    private static boolean notifies(QueueItem item, String what) {
        Set<String> notify = item.recipient().notifyOn();
        if (notify.isEmpty()) {
            return what.equals("FAILURE") || what.equals("DELAY");
        }
        return !notify.contains("NEVER") && notify.contains(what);
    }

    /**
     * Stores a DSN for the sender: local mailboxes directly, remote senders through the queue with
     * {@code <>}; a sender we rewrote with SRS gets it at its original address. A DSN for mail from
     * an unauthenticated source counts against the {@link OutboundConfig.BounceLimits}; one over
     * them is dropped, with the failures it would have reported.
     */
    private void report(DeliveryReport.Action action, long messageId, Envelope envelope,
                        List<DeliveryReport.Entry> entries, Instant retryUntil, Set<Long> settles) {
        Address sender = envelope.reversePath().orElseThrow();
        Instant now = clock.instant();
        if (config.senderRewriting().isPresent()) {
            SenderRewriting.Reversed r = config.senderRewriting().get().reverse(sender);
            if (r instanceof SenderRewriting.Reversed.Original o) {
                sender = o.address();
            } else if (r instanceof SenderRewriting.Reversed.Refused refused) {
                drop(action, messageId, sender, "bad_srs", refused.reason(), settles);
                return;
            }
        }
        if (envelope.authenticated().isEmpty()) {
            BounceLimiter.Verdict verdict = bounceLimiter.admit(sender, now);
            if (verdict != BounceLimiter.Verdict.ALLOWED) {
                drop(action, messageId, sender, verdict.tag(), "bounce limit for unauthenticated mail reached", settles);
                return;
            }
        }
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), now))) {
            Resolution r = store.recipients().resolve(sender);
            int targets = 0;
            for (Resolution.LocalRecipient l : r.local()) {
                try {
                    d.addLocal(l, 0L);
                    targets++;
                } catch (QuotaExceededException e) {
                    LOG.warn("DSN for message {} not delivered to {}: mailbox full", messageId, l.mailbox());
                }
            }
            for (Address a : r.remote()) {
                d.addRemote(RemoteRecipient.of(a));
                targets++;
            }
            if (targets == 0) {
                LOG.warn("DSN ({}) for message {} dropped: sender <{}> has no mailbox", action, messageId, sender);
                if (!settles.isEmpty()) {
                    store.queue().dropFailures(messageId, settles);
                }
                return;
            }
            if (!settles.isEmpty()) {
                d.settles(messageId, settles);
            }
            InputStream original;
            try {
                original = store.queue().openContent(messageId);
            } catch (NotFoundException e) {
                original = null;
            }
            Envelope reported = new Envelope(Optional.of(sender), envelope.received(), envelope.ret(), envelope.envId(),
                    envelope.smtpUtf8(), envelope.authenticated(), envelope.requireTls());
            DeliveryReport.write(d.content(), config.hostname(), action, reported, entries, original, now,
                    Optional.ofNullable(retryUntil));
            d.commit();
            metrics.dsnSent(action.name().toLowerCase(java.util.Locale.ROOT));
            LOG.info("DSN ({}) for message {} sent to <{}> for {} recipient(s)", action, messageId, sender,
                    entries.size());
        } catch (LeaseLostException e) {
            LOG.debug("DSN ({}) for message {} not stored: {}", action, messageId, e.getMessage());
        } catch (IOException | RuntimeException e) {
            // failures stay in the queue: sweepBounces tries again
            LOG.warn("DSN ({}) for message {} to <{}> could not be stored: {}", action, messageId, sender, e.toString());
        }
    }

    /** A DSN not sent: logged and counted; the failures it would have reported leave the queue. */
    private void drop(DeliveryReport.Action action, long messageId, Address sender, String reason, String why,
                      Set<Long> settles) {
        LOG.warn("DSN ({}) for message {} to <{}> dropped: {} ({})", action, messageId, sender, why, reason);
        metrics.dsnDropped(reason);
        if (!settles.isEmpty()) {
            try {
                store.queue().dropFailures(messageId, settles);
            } catch (RuntimeException e) {
                LOG.warn("outbound {}: cannot drop the failures of message {}: {}", id, messageId, e.toString());
            }
        }
    }

    private void abandon(List<QueueItem> items) {
        for (QueueItem i : items) {
            try {
                store.queue().abandon(i.id(), id);
            } catch (RuntimeException e) {
                LOG.debug("could not give back queue item {}; its lease will run out", i.id(), e);
            }
        }
    }

    /** Opportunistic TLS to MX hosts: any certificate is better than plain text (RFC 7435). */
    private static SSLContext anyCertificate() {
        return OpportunisticTls.clientContext();
    }

}
