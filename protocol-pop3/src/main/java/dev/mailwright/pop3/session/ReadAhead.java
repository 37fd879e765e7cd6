package dev.mailwright.pop3.session;

import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MessageInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the next messages of a session from the store while the current one is being sent:
 * clients download a maildrop with RETR 1, RETR 2, ..., and each RETR otherwise waits for a
 * store round trip before its first octet. A window of up to {@link #DEPTH} following small
 * messages is read ahead, at most {@link #MAX_SIZE} octets in all per session, and only when
 * a reader thread is free; anything unusual (a failure, a RETR of another message) simply
 * reads from the store as without read-ahead. Message content never changes once stored, so
 * what was read ahead is what RETR would have read.
 */
public final class ReadAhead {

    private static final Logger LOG = LoggerFactory.getLogger(ReadAhead.class);

    /** The most octets read ahead for a session (so also the largest message read ahead: one stored chunk). */
    static final long MAX_SIZE = 256 * 1024;
    /** The most messages read ahead for a session. */
    public static final int DEPTH = 3;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadPoolExecutor READERS = new ThreadPoolExecutor(0, 32, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "pop3-read-ahead-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private record Ahead(long uid, long size, CompletableFuture<byte[]> content) {
    }

    private final ArrayDeque<Ahead> window = new ArrayDeque<>();

    /**
     * The content of {@code m}: what was read ahead for it, else from the store. What was read
     * ahead for the messages before it is dropped, and all of it when {@code m} was not read ahead.
     */
    public InputStream open(Maildrop maildrop, MessageInfo m) {
        CompletableFuture<byte[]> ahead = null;
        if (window.stream().anyMatch(a -> a.uid() == m.uid())) {
            Ahead a;
            do {
                a = window.pollFirst();
            } while (a.uid() != m.uid());
            ahead = a.content();
        } else {
            window.clear();
        }
        if (ahead != null) {
            try {
                return new ByteArrayInputStream(ahead.get());
            } catch (ExecutionException e) {
                LOG.debug("read-ahead of message {} failed; reading it now", m.uid(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return maildrop.open(m.uid());
    }

    /** Whether {@link #open} has {@code m} in memory already, so that it returns without waiting. */
    public boolean ready(MessageInfo m) {
        for (Ahead a : window) {
            if (a.uid() == m.uid()) {
                return a.content().isDone() && !a.content().isCompletedExceptionally();
            }
        }
        return false;
    }

    /** Starts reading {@code next} if it fits the window and a reader is free. */
    public void readNext(Maildrop maildrop, MessageInfo next) {
        readNext(maildrop, List.of(next));
    }

    /**
     * Starts reading the messages that follow the one being sent, in order, as far as the window
     * allows (those already read ahead count); stops at the first that does not fit.
     */
    public void readNext(Maildrop maildrop, List<MessageInfo> following) {
        long octets = window.stream().mapToLong(Ahead::size).sum();
        for (MessageInfo next : following) {
            if (window.stream().anyMatch(a -> a.uid() == next.uid())) {
                continue;
            }
            if (window.size() >= DEPTH || octets + next.size() > MAX_SIZE) {
                return;
            }
            CompletableFuture<byte[]> f = new CompletableFuture<>();
            try {
                READERS.execute(() -> {
                    try (InputStream in = maildrop.open(next.uid())) {
                        f.complete(in.readNBytes((int) MAX_SIZE + 1));
                    } catch (IOException | RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                return; // every reader busy: these RETRs read for themselves
            }
            window.addLast(new Ahead(next.uid(), next.size(), f));
            octets += next.size();
        }
    }

    /** Forgets what was read ahead. */
    public void clear() {
        window.clear();
    }
}
