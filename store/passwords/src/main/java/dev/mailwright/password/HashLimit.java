package dev.mailwright.password;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A bound on the password hashes running at once, so that a flood of logins queues instead of
 * allocating: at most {@link #maxConcurrent()} hashes, and together at most
 * {@link #memoryBudgetKib()} of Argon2 memory (a hash larger than the whole budget runs alone).
 * With one cost m that is {@code max(1, min(maxConcurrent, budget / m))} hashes at once.
 *
 * <p>Both semaphores are fair: a login waits behind the ones that came before it, never behind
 * later ones. A wait longer than {@link #maxWait()} gives up with {@link HashingBusyException}
 * (the caller answers with a temporary error), so no thread waits forever.
 */
public final class HashLimit {

    /** How long a hash waits for its turn by default: long enough to sit out a burst, short of a client's patience. */
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMinutes(2);

    private static volatile HashLimit shared;

    private final int maxConcurrent;
    private final int memoryBudgetKib;
    private final Duration maxWait;
    private final Semaphore running;
    private final Semaphore memory;

    public HashLimit(int maxConcurrent, long memoryBudgetKib, Duration maxWait) {
        if (maxConcurrent < 1 || memoryBudgetKib < 1 || maxWait.isNegative()) {
            throw new IllegalArgumentException("a hash limit needs at least one hash, some memory and a wait >= 0");
        }
        this.maxConcurrent = maxConcurrent;
        this.memoryBudgetKib = (int) Math.min(Integer.MAX_VALUE, memoryBudgetKib);
        this.maxWait = maxWait;
        this.running = new Semaphore(maxConcurrent, true);
        this.memory = new Semaphore(this.memoryBudgetKib, true);
    }

    /**
     * Sized from this JVM: {@code maxConcurrent} hashes (0: {@link #defaultMaxConcurrent()}),
     * and a quarter of the maximum heap for their memory. BouncyCastle's Argon2 takes its memory
     * from the heap; libsodium's is native, but a process given a heap of H is rarely given
     * much more than H besides, so the same budget keeps it bounded.
     */
    public static HashLimit forThisJvm(int maxConcurrent, Duration maxWait) {
        return new HashLimit(maxConcurrent == 0 ? defaultMaxConcurrent() : maxConcurrent, defaultMemoryBudgetKib(),
                maxWait);
    }

    /** Two per processor: hashing is CPU-bound, more at once would not finish sooner. */
    public static int defaultMaxConcurrent() {
        return 2 * Runtime.getRuntime().availableProcessors();
    }

    /** A quarter of the maximum heap, in KiB. */
    public static long defaultMemoryBudgetKib() {
        return Runtime.getRuntime().maxMemory() / 4 / 1024;
    }

    /**
     * The one limit of this process that {@link PasswordHashing}s made without one share (the
     * heap it guards is the process's): {@link #forThisJvm} with the defaults.
     */
    public static HashLimit shared() {
        HashLimit s = shared;
        if (s == null) {
            synchronized (HashLimit.class) {
                s = shared;
                if (s == null) {
                    s = forThisJvm(0, DEFAULT_MAX_WAIT);
                    shared = s;
                }
            }
        }
        return s;
    }

    public int maxConcurrent() {
        return maxConcurrent;
    }

    public int memoryBudgetKib() {
        return memoryBudgetKib;
    }

    public Duration maxWait() {
        return maxWait;
    }

    /** How many hashes wait for their turn now (an estimate, for metrics and tests). */
    public int waiting() {
        return running.getQueueLength() + memory.getQueueLength();
    }

    /** A hash's turn: close it when the hash is done. */
    public interface Turn extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Waits (first come, first served) until a hash of {@code memoryKib} may run.
     *
     * @throws HashingBusyException when {@link #maxWait()} passed first, or the thread was interrupted
     */
    public Turn acquire(int memoryKib) {
        int kib = Math.max(0, Math.min(memoryKib, memoryBudgetKib));
        long deadline = System.nanoTime() + maxWait.toNanos();
        try {
            if (!running.tryAcquire(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new HashingBusyException(maxWait);
            }
            boolean gotMemory = false;
            try {
                gotMemory = kib == 0 || memory.tryAcquire(kib, deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            } finally {
                if (!gotMemory) {
                    running.release();
                }
            }
            if (!gotMemory) {
                throw new HashingBusyException(maxWait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HashingBusyException(maxWait);
        }
        return () -> {
            if (kib > 0) {
                memory.release(kib);
            }
            running.release();
        };
    }

    @Override
    public String toString() {
        return "at most " + maxConcurrent + " at once within " + memoryBudgetKib / 1024 + " MiB";
    }
}
