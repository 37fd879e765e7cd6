package dev.mailwright.pop3.session;

import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MessageInfo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * Reads the next message of a session from the store while the current one is being sent:
 * clients download a maildrop with RETR 1, RETR 2, ..., and each RETR otherwise waits for a
 * store round trip before its first octet. Only small messages are read ahead (at most
 * {@link #MAX_SIZE} octets, held for one message per session), and only when a reader thread
 * is free; anything unusual (a failure, a RETR of another message) simply reads from the
 * store as without read-ahead. Message content never changes once stored, so what was read
 * ahead is what RETR would have read.
 */
public final class ReadAhead {

    private static final Logger LOG = LoggerFactory.getLogger(ReadAhead.class);

    /** The largest message read ahead (a message of one stored chunk). */
    static final long MAX_SIZE = 256 * 1024;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ThreadPoolExecutor READERS = new ThreadPoolExecutor(0, 32, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "pop3-read-ahead-" + THREADS.incrementAndGet());
                t.setDaemon(true);
                return t;
            });

    private long uid = -1;
    private CompletableFuture<byte[]> content;

    /** The content of {@code m}: what was read ahead for it, else from the store. */
    public InputStream open(Maildrop maildrop, MessageInfo m) {
        CompletableFuture<byte[]> ahead = uid == m.uid() ? content : null;
        clear();
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
        CompletableFuture<byte[]> f = content;
        return uid == m.uid() && f != null && f.isDone() && !f.isCompletedExceptionally();
    }

    /** Starts reading {@code next} (the message after the one being sent) if it is small and a reader is free. */
    public void readNext(Maildrop maildrop, MessageInfo next) {
        clear();
        if (next.size() > MAX_SIZE) {
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
            return; // every reader busy: this RETR reads for itself
        }
        uid = next.uid();
        content = f;
    }

    /** Forgets what was read ahead. */
    public void clear() {
        uid = -1;
        content = null;
    }
}
