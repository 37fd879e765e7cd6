package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.StoreUnavailableException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit for small deliveries: deliveries that arrive while others are being written
 * are written together, by one statement, so that they share one round trip, one commit and
 * one WAL flush instead of each waiting for its own, and deliveries to one mailbox no longer
 * queue on its counter row one commit after another.
 *
 * <p>Deliveries are spread over a few lanes by account, so that one lane's statement only
 * ever locks the counter rows of its own accounts (no lock order across lanes). In each lane,
 * the thread that finds no statement running becomes the leader: it takes everything queued
 * in its lane (its own item included), writes it with {@link Batch#all} and hands every
 * waiting delivery its result; the others park until the leader that wrote their item wakes
 * them, and a leader that finishes while deliveries wait hands the lane to the oldest of them
 * (no convoy of threads each taking a lock just to learn that they are done). A lone delivery is written by
 * {@link Batch#one}, exactly as without grouping. If the shared statement fails, each item is
 * written again on its own, so that one delivery's error (a mailbox removed meanwhile) never
 * fails another's.
 *
 * <p>Every caller returns only after the statement holding its item has committed.
 *
 * @param <I> what one delivery writes
 * @param <R> what it gets back
 */
public final class GroupCommit<I, R> {

    /** How items are written; both methods run one auto-committed statement, atomic by itself. */
    public interface Batch<I, R> {

        /** Writes one item. */
        R one(Connection c, I item) throws SQLException;

        /** Writes all items (at least two) at once, all or nothing; the results in the items' order. */
        List<R> all(Connection c, List<I> items) throws SQLException;
    }

    /** The most deliveries one statement takes. */
    static final int MAX_BATCH = 64;

    private static final class Pending<I, R> {
        final I item;
        final Thread thread = Thread.currentThread();
        /** Set by the leader that wrote the item, before it wakes this thread. */
        volatile boolean done;
        /** Set when this thread is to lead the next statement of its lane, before it is woken. */
        volatile boolean lead;
        R result;
        RuntimeException failure;
        Error error;

        Pending(I item) {
            this.item = item;
        }

        R get() {
            if (error != null) {
                throw error;
            }
            if (failure != null) {
                throw failure;
            }
            return result;
        }
    }

    /** Guarded by itself: whether a statement runs, and the items that wait for the next one. */
    private final class Lane {
        boolean running;
        final ArrayDeque<Pending<I, R>> queue = new ArrayDeque<>();

        /** The next statement's items, oldest first (the designated leader's own is the oldest). */
        List<Pending<I, R>> take() {
            List<Pending<I, R>> taken = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
            while (taken.size() < MAX_BATCH && !queue.isEmpty()) {
                taken.add(queue.poll());
            }
            return taken;
        }
    }

    private final Jdbc jdbc;
    private final Batch<I, R> batch;
    private final List<Lane> lanes = new ArrayList<>();

    /** @param lanes statements that may run at once (each on its own pooled connection) */
    public GroupCommit(Jdbc jdbc, int lanes, Batch<I, R> batch) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1");
        }
        this.jdbc = jdbc;
        this.batch = batch;
        for (int i = 0; i < lanes; i++) {
            this.lanes.add(new Lane());
        }
    }

    /**
     * Writes {@code item}, in a statement shared with other deliveries of this lane, and
     * returns its result once that statement has committed.
     *
     * <p>Waiting threads park until the leader that wrote their item wakes them; a leader that
     * finishes while others wait hands the lane to the oldest of them, so that no thread has to
     * take a lock just to learn that its item was written.
     *
     * @param accountId the one account whose counters the item updates (its lane)
     */
    public R commit(String what, long accountId, I item) {
        Lane lane = lanes.get((int) Math.floorMod(accountId, (long) lanes.size()));
        Pending<I, R> mine = new Pending<>(item);
        List<Pending<I, R>> taken = null;
        synchronized (lane) {
            lane.queue.add(mine);
            if (!lane.running) {
                lane.running = true;
                taken = lane.take();
            }
        }
        while (taken == null) {
            LockSupport.park(this);
            if (mine.done) {
                return mine.get();
            }
            if (mine.lead) {
                synchronized (lane) {
                    taken = lane.take();
                }
            }
        }
        lead(what, lane, taken);
        return mine.get();
    }

    /** Writes {@code taken}, wakes their threads and hands the lane on. */
    private void lead(String what, Lane lane, List<Pending<I, R>> taken) {
        try {
            run(what, taken);
        } finally {
            for (Pending<I, R> p : taken) {
                if (!p.done) {
                    // run() records every outcome; this is only reached if it failed itself
                    fail(p, new IllegalStateException(what + ": the shared statement did not finish"));
                }
            }
            Pending<I, R> next;
            synchronized (lane) {
                next = lane.queue.peek();
                if (next == null) {
                    lane.running = false;
                } else {
                    next.lead = true;
                }
            }
            for (Pending<I, R> p : taken) {
                if (p.thread != Thread.currentThread()) {
                    LockSupport.unpark(p.thread);
                }
            }
            if (next != null) {
                LockSupport.unpark(next.thread);
            }
        }
    }

    /** Items waiting for a statement, in all lanes (for tests). */
    int queued() {
        int n = 0;
        for (Lane lane : lanes) {
            synchronized (lane) {
                n += lane.queue.size();
            }
        }
        return n;
    }

    private void run(String what, List<Pending<I, R>> taken) {
        if (taken.size() == 1) {
            runAlone(what, taken.get(0));
            return;
        }
        List<I> items = new ArrayList<>(taken.size());
        taken.forEach(p -> items.add(p.item));
        List<R> results;
        try {
            results = jdbc.atomically(what, c -> batch.all(c, items));
        } catch (StoreUnavailableException e) {
            // the database went away: whether the commit happened is unknown, so nothing is written
            // again here; every delivery fails as a lone one would, and SMTP answers 4xx
            taken.forEach(p -> fail(p, e));
            return;
        } catch (RuntimeException e) {
            // one bad delivery (a mailbox removed meanwhile): every delivery on its own, each with its own outcome
            taken.forEach(p -> runAlone(what, p));
            return;
        }
        if (results.size() != taken.size()) {
            // a batch that lost track of its items must not hand out results it cannot attribute
            IllegalStateException broken = new IllegalStateException(
                    what + ": " + taken.size() + " items written, " + results.size() + " results");
            taken.forEach(p -> fail(p, broken));
            return;
        }
        for (int i = 0; i < taken.size(); i++) {
            Pending<I, R> p = taken.get(i);
            p.result = results.get(i);
            p.done = true;
        }
    }

    private void runAlone(String what, Pending<I, R> p) {
        try {
            p.result = jdbc.atomically(what, c -> batch.one(c, p.item));
        } catch (RuntimeException e) {
            p.failure = e;
        } catch (Error e) {
            p.error = e;
        }
        p.done = true;
    }

    private static void fail(Pending<?, ?> p, RuntimeException e) {
        p.failure = e;
        p.done = true;
    }
}
