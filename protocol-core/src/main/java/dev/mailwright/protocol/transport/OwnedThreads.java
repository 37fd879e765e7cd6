package dev.mailwright.protocol.transport;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads one owner's pools made, kept until they are seen to have ended, so that the owner's
 * close can wait for the threads themselves: a JDK executor says "terminated" while its last
 * worker is still on its way out (16 MINA I/O threads in 300 start/close cycles were alive right
 * after close, ADR 0035). Used by {@link MinaListener} and by POP3's read-ahead and lease pools.
 */
public final class OwnedThreads {

    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}..., each kept until it has ended. */
    public ThreadFactory factory(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            threads.removeIf(old -> !old.isAlive()); // bounded by the threads alive at once
            threads.add(t);
            return t;
        };
    }

    /**
     * Waits until every thread has ended, at most until {@code deadline} ({@link System#nanoTime()});
     * never for the calling thread (an owner closed from one of its own threads).
     *
     * @return whether none is left (the calling thread aside)
     */
    public boolean join(long deadline) throws InterruptedException {
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left > 0 && t != Thread.currentThread()) {
                t.join(Math.max(1, left / 1_000_000));
            }
        }
        threads.removeIf(t -> !t.isAlive());
        return threads.isEmpty() || threads.equals(Set.of(Thread.currentThread()));
    }

    /** {@link #join(long)} for at most {@code timeout}, keeping the caller's interrupt. */
    public boolean join(Duration timeout) {
        try {
            return join(System.nanoTime() + timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
