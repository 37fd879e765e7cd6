package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.StoreUnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit for small deliveries: concurrent deliveries are written in one transaction,
 * so that they share one commit (one WAL flush) instead of each waiting for its own, and
 * deliveries to one mailbox no longer queue on its counter row one commit after another.
 *
 * <p>Deliveries are spread over a few lanes by account, so that one lane's transaction only
 * ever locks the counter rows of its own accounts (no lock order across lanes, no deadlock).
 * In each lane, the thread that finds no transaction running becomes the leader: it takes
 * everything queued in its lane (its own work included), runs it in one transaction and
 * hands every waiting delivery its result; the others wait for it. A lone delivery runs
 * alone, as one auto-committed statement, exactly as without grouping. If the shared
 * transaction fails, each piece of work is run again on its own, so that one delivery's
 * error (a mailbox removed meanwhile) never fails another's.
 *
 * <p>Every caller returns only after the transaction holding its work has committed.
 */
public final class GroupCommit {

    /** The most deliveries one transaction takes. */
    static final int MAX_BATCH = 64;

    private static final class Pending<T> {
        final Jdbc.Work<T> work;
        volatile boolean done;
        T result;
        RuntimeException failure;
        Error error;

        Pending(Jdbc.Work<T> work) {
            this.work = work;
        }

        T get() {
            if (error != null) {
                throw error;
            }
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    private static final class Lane {
        final ReentrantLock leader = new ReentrantLock();
        final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
    }

    private final Jdbc jdbc;
    private final Lane[] lanes;

    /** @param lanes transactions that may run at once (each on its own pooled connection) */
    public GroupCommit(Jdbc jdbc, int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1");
        }
        this.jdbc = jdbc;
        this.lanes = new Lane[lanes];
        for (int i = 0; i < lanes; i++) {
            this.lanes[i] = new Lane();
        }
    }

    /**
     * Runs {@code work} in a transaction shared with other deliveries of this lane and returns
     * its result once that transaction has committed.
     *
     * @param accountId the one account whose counters the work updates, or a negative number for none
     * @param work      the delivery's one statement: atomic on its own when it runs alone
     *                  (auto-committed), part of the shared transaction otherwise
     */
    public <T> T commit(String what, long accountId, Jdbc.Work<T> work) {
        Lane lane = lanes[accountId < 0
                ? ThreadLocalRandom.current().nextInt(lanes.length)
                : (int) Math.floorMod(accountId, (long) lanes.length)];
        Pending<T> mine = new Pending<>(work);
        lane.queue.add(mine);
        lane.leader.lock();
        try {
            if (!mine.done) {
                // no one took it while we waited for the lane: lead a transaction with what is queued
                List<Pending<?>> batch = new ArrayList<>();
                for (Pending<?> p; batch.size() < MAX_BATCH && (p = lane.queue.poll()) != null; ) {
                    batch.add(p);
                }
                run(what, batch);
            }
        } finally {
            lane.leader.unlock();
        }
        // done was set by the leader (this thread or one before it) under the lane lock we took
        return mine.get();
    }

    /** Work waiting for a transaction, in all lanes (for tests). */
    int queued() {
        int n = 0;
        for (Lane lane : lanes) {
            n += lane.queue.size();
        }
        return n;
    }

    private void run(String what, List<Pending<?>> batch) {
        if (batch.size() == 1) {
            runAlone(what, batch.get(0));
            return;
        }
        List<Object> results;
        try {
            results = jdbc.inTransaction(what, c -> {
                List<Object> out = new ArrayList<>(batch.size());
                for (Pending<?> p : batch) {
                    out.add(p.work.run(c));
                }
                return out;
            });
        } catch (StoreUnavailableException e) {
            // the database went away: whether the commit happened is unknown, so nothing is run again
            // here; every delivery fails as a lone one would, and SMTP answers 4xx
            batch.forEach(p -> fail(p, e));
            return;
        } catch (RuntimeException e) {
            // one bad delivery (a mailbox removed meanwhile): every delivery on its own, each with its own outcome
            batch.forEach(p -> runAlone(what, p));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            complete(batch.get(i), results.get(i));
        }
    }

    private <T> void runAlone(String what, Pending<T> p) {
        try {
            p.result = jdbc.atomically(what, p.work);
        } catch (RuntimeException e) {
            p.failure = e;
        } catch (Error e) {
            p.error = e;
        }
        p.done = true;
    }

    private static void fail(Pending<?> p, RuntimeException e) {
        p.failure = e;
        p.done = true;
    }

    @SuppressWarnings("unchecked")
    private static <T> void complete(Pending<T> p, Object result) {
        p.result = (T) result;
        p.done = true;
    }
}
