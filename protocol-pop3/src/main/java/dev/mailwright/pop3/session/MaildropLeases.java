package dev.mailwright.pop3.session;

import dev.mailwright.protocol.transport.OwnedThreads;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.Maildrops;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat of a POP3 server's maildrop locks. Every third of the lease one store call
 * renews the leases of all sessions holding a maildrop ({@link Maildrops#renewAll}), so the
 * lease can be short (a crashed node's maildrops free up within it) while an idle but connected
 * client keeps its lock, and no session renews on its own. A lease found taken over by someone
 * else is marked lost: the session's next command ends it, and its QUIT could not have
 * committed anyway (the store fences it).
 *
 * <p>The timer runs only while some session holds a maildrop; its daemon thread goes away when
 * none does.
 */
public final class MaildropLeases {

    private static final Logger LOG = LoggerFactory.getLogger(MaildropLeases.class);

    private final Maildrops maildrops;
    private final long intervalMillis;
    private final Set<Lease> held = ConcurrentHashMap.newKeySet();
    private final ScheduledThreadPoolExecutor timer;
    /** Guarded by this. */
    private ScheduledFuture<?> beat;

    /** One session's hold on its maildrop. Compared by identity: the maildrop itself is never asked. */
    static final class Lease {
        private final Maildrop maildrop;
        private final Runnable onLost;
        private volatile boolean lost;

        private Lease(Maildrop maildrop, Runnable onLost) {
            this.maildrop = maildrop;
            this.onLost = onLost;
        }

        /** Whether the heartbeat found that someone else took the maildrop over. */
        boolean lost() {
            return lost;
        }
    }

    private final OwnedThreads threads = new OwnedThreads();

    public MaildropLeases(Maildrops maildrops, Duration lease) {
        this.maildrops = maildrops;
        this.intervalMillis = Math.max(1, lease.dividedBy(3).toMillis());
        this.timer = new ScheduledThreadPoolExecutor(1, threads.factory("pop3-lease-heartbeat"));
        timer.setKeepAliveTime(intervalMillis * 2, TimeUnit.MILLISECONDS);
        timer.allowCoreThreadTimeOut(true);
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * A session took {@code maildrop}: its lease is kept from now on. {@code onLost} runs (on the
     * heartbeat's thread) if the heartbeat finds the lock taken over: the session should end.
     */
    synchronized Lease held(Maildrop maildrop, Runnable onLost) {
        Lease lease = new Lease(maildrop, onLost);
        held.add(lease);
        if (beat == null) {
            beat = timer.scheduleAtFixedRate(this::renew, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        }
        return lease;
    }

    /** The session committed or closed its maildrop. */
    synchronized void released(Lease lease) {
        held.remove(lease);
        if (held.isEmpty() && beat != null) {
            beat.cancel(false);
            beat = null;
        }
    }

    /** Maildrops whose leases are kept now. */
    public int held() {
        return held.size();
    }

    /**
     * One heartbeat: renews every held lease in one store call. The timer calls it; tests call it
     * on their own clock. A store that cannot be reached is logged and tried again next time.
     */
    public void renew() {
        List<Lease> live = List.copyOf(held);
        if (live.isEmpty()) {
            return;
        }
        Map<Maildrop, Lease> byMaildrop = new IdentityHashMap<>();
        live.forEach(l -> byMaildrop.put(l.maildrop, l));
        try {
            for (Maildrop m : maildrops.renewAll(List.copyOf(byMaildrop.keySet()))) {
                Lease lease = byMaildrop.get(m);
                if (lease != null && held.contains(lease) && !lease.lost) {
                    lease.lost = true;
                    LOG.warn("a maildrop lock was taken over (or an administrator kicked its session):"
                            + " the session ends with nothing changed");
                    lease.onLost.run();
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("could not renew {} maildrop lease(s), trying again in {} ms: {}", live.size(), intervalMillis,
                    e.toString());
        }
    }

    /** Stops the heartbeat's thread and waits a moment for it to end (the server stopped: its sessions are gone). */
    void close() {
        timer.shutdownNow();
        threads.join(Duration.ofSeconds(1));
    }
}
