package dev.mailwright.pop3.session;

import dev.mailwright.protocol.transport.OwnedThreads;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MessageInfo;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the next messages of a session from the store while the current one is being sent:
 * clients download a maildrop with RETR 1, RETR 2, ..., and each RETR otherwise waits for a
 * store round trip before its first octet. Like a file system's read-ahead, the window grows
 * while the client keeps reading in order (2, 4, 8, ... up to {@link #MAX_BATCH} messages per
 * store round trip) and falls back to one message when it jumps. Memory stays bounded: only
 * small messages (at most {@link #MAX_SIZE} octets) are read ahead, one session holds at most
 * {@link #SESSION_BUDGET} octets, all sessions of a server together at most {@link #TOTAL_BUDGET}, and
 * a read starts only when a reader thread is free. Anything unusual (a failure, a RETR of
 * another message, a budget used up) simply reads from the store as without read-ahead.
 * Message content never changes once stored, so what was read ahead is what RETR would have read.
 *
 * <p>Not thread-safe: one session uses it, one command at a time; only the store read itself
 * runs on a reader thread.
 */
public final class ReadAhead {

    private static final Logger LOG = LoggerFactory.getLogger(ReadAhead.class);

    /** The largest message read ahead (a message of one stored chunk). */
    static final long MAX_SIZE = 256 * 1024;
    /** The most octets one session holds read ahead (in memory and being read). */
    static final long SESSION_BUDGET = 512 * 1024;
    /** The most octets all sessions together hold read ahead. */
    static final long TOTAL_BUDGET = 64L * 1024 * 1024;
    /** The most messages one store read asks for. */
    static final int MAX_BATCH = 32;

    /**
     * What the sessions of one server share: the reader threads and the octets held read ahead
     * by all of them. Belongs to the server, which {@linkplain #close closes} it when it stops:
     * nothing of it outlives the server.
     */
    public static final class Readers implements AutoCloseable {
        private final AtomicLong reserved = new AtomicLong();
        private final OwnedThreads threads = new OwnedThreads();
        private final ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 32, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), threads.factory("pop3-read-ahead"));

        /** What all sessions hold read ahead (for tests). */
        long reservedInTotal() {
            return reserved.get();
        }

        private volatile boolean ended;

        /** Whether every reader thread has ended (after {@link #close}). */
        boolean terminated() {
            return ended;
        }

        /** Stops the reader threads (a read under way finishes unseen); waits a moment for them to end. */
        @Override
        public void close() {
            pool.shutdownNow();
            ended = threads.join(java.time.Duration.ofSeconds(1));
        }
    }

    private final Readers readers;

    public ReadAhead(Readers readers) {
        this.readers = readers;
    }

    /** Content read ahead, by uid. */
    private final TreeMap<Long, byte[]> window = new TreeMap<>();
    /** The octets reserved for each message in the window or being read, by uid. */
    private final Map<Long, Long> reserved = new HashMap<>();
    private long held;
    private CompletableFuture<Map<Long, byte[]>> reading;
    private List<Long> readingUids = List.of();
    /** How many messages the next read asks for: doubles while the client reads in order. */
    private int batch = 1;
    private int lastServed = -1;

    /** The content of {@code m}: what was read ahead for it (waiting for a read under way), else from the store. */
    public InputStream open(Maildrop maildrop, MessageInfo m) {
        long uid = m.uid();
        absorb();
        if (!window.containsKey(uid) && reading != null && readingUids.contains(uid)) {
            try {
                reading.get();
            } catch (ExecutionException e) {
                LOG.debug("read-ahead of message {} failed; reading it now", uid, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            absorb();
        }
        byte[] content = window.remove(uid);
        if (content != null) {
            release(uid);
            return new ByteArrayInputStream(content);
        }
        return maildrop.open(uid);
    }

    /** Whether {@link #open} has {@code m} in memory already, so that it returns without waiting. */
    public boolean ready(MessageInfo m) {
        absorb();
        return window.containsKey(m.uid());
    }

    /**
     * Tells that message {@code index} (0-based in {@code messages}) was just sent, and starts
     * reading the messages after it if few enough are in memory or under way.
     *
     * @param deleted which indexes the session has marked deleted (not worth reading)
     */
    public void served(Maildrop maildrop, List<MessageInfo> messages, int index, IntPredicate deleted) {
        long uid = messages.get(index).uid();
        absorb();
        // what lies behind the client is not read again in order: let it go
        for (var e = window.firstEntry(); e != null && e.getKey() <= uid; e = window.firstEntry()) {
            window.remove(e.getKey());
            release(e.getKey());
        }
        if (reading != null && readingUids.get(readingUids.size() - 1) <= uid) {
            abandonReading(); // the client jumped past everything under way
        }
        batch = index == lastServed + 1 ? Math.min(batch * 2, MAX_BATCH) : 1;
        lastServed = index;
        if (reading != null || window.size() > batch / 2) {
            return;
        }
        long after = window.isEmpty() ? uid : window.lastKey();
        List<Long> uids = new ArrayList<>();
        long octets = 0;
        for (int i = index + 1; i < messages.size() && uids.size() < batch; i++) {
            MessageInfo next = messages.get(i);
            if (next.uid() <= after || deleted.test(i) || next.size() > MAX_SIZE) {
                continue;
            }
            if (held + octets + next.size() > SESSION_BUDGET) {
                break;
            }
            uids.add(next.uid());
            octets += next.size();
        }
        if (uids.isEmpty() || !reserve(octets)) {
            return;
        }
        CompletableFuture<Map<Long, byte[]>> f = new CompletableFuture<>();
        try {
            readers.pool.execute(() -> {
                try {
                    f.complete(maildrop.readAll(uids));
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            readers.reserved.addAndGet(-octets); // every reader busy, or stopped: the next RETRs read for themselves
            return;
        }
        for (int i = index + 1, k = 0; k < uids.size(); i++) {
            if (messages.get(i).uid() == uids.get(k)) {
                reserved.put(uids.get(k), messages.get(i).size());
                k++;
            }
        }
        held += octets;
        reading = f;
        readingUids = uids;
    }

    /** Forgets everything read ahead (a read under way finishes unseen). */
    public void clear() {
        readers.reserved.addAndGet(-held);
        held = 0;
        reserved.clear();
        window.clear();
        reading = null;
        readingUids = List.of();
        batch = 1;
        lastServed = -1;
    }

    private void abandonReading() {
        readingUids.forEach(this::release);
        reading = null;
        readingUids = List.of();
    }

    /** What this session holds read ahead, in octets as reserved (for tests). */
    long held() {
        return held;
    }


    /** Moves a finished read into the window; what it did not return (or all, if it failed) is released. */
    private void absorb() {
        CompletableFuture<Map<Long, byte[]>> f = reading;
        if (f == null || !f.isDone()) {
            return;
        }
        reading = null;
        Map<Long, byte[]> got = f.isCompletedExceptionally() ? Map.of() : f.join();
        for (long uid : readingUids) {
            byte[] content = got.get(uid);
            if (content != null) {
                window.put(uid, content);
            } else {
                release(uid);
            }
        }
        readingUids = List.of();
    }

    private boolean reserve(long octets) {
        if (readers.reserved.addAndGet(octets) > TOTAL_BUDGET) {
            readers.reserved.addAndGet(-octets);
            return false;
        }
        return true;
    }

    private void release(long uid) {
        Long octets = reserved.remove(uid);
        if (octets != null) {
            held -= octets;
            readers.reserved.addAndGet(-octets);
        }
    }
}
