package dev.mailwright.password;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The bound on hashes at once: by count, by memory, first come first served, and never an endless wait. */
class HashLimitTest {

    /** An Argon2 that records how many run at once and how much memory they hold together. */
    private static final class Gauge implements Argon2 {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger memory = new AtomicInteger();
        final AtomicInteger mostRunning = new AtomicInteger();
        final AtomicInteger mostMemory = new AtomicInteger();

        @Override
        public String name() {
            return "gauge";
        }

        @Override
        public Optional<byte[]> hash(int type, byte[] password, byte[] salt, int memoryKib, int iterations,
                                     int parallelism, int length) {
            mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            mostMemory.accumulateAndGet(memory.addAndGet(memoryKib), Math::max);
            try {
                Thread.sleep(20); // long enough for the other threads to pile up
                return Argon2.java().hash(type, password, salt, 8, 1, 1, length);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                memory.addAndGet(-memoryKib);
                running.decrementAndGet();
            }
        }
    }

    private static void flood(PasswordHashing hashing, int threads, String stored) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads * 3; i++) {
                results.add(pool.submit(() -> hashing.verify("wrong".toCharArray(), stored)));
            }
            for (Future<Boolean> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isFalse();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void noMoreHashesRunAtOnceThanTheLimitAllows() throws Exception {
        Gauge gauge = new Gauge();
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(64, 1, 1), new SecureRandom(),
                gauge, new HashLimit(3, 1 << 20, Duration.ofMinutes(1)));
        flood(hashing, 12, hashing.hash("right".toCharArray()));
        assertThat(gauge.mostRunning.get()).isEqualTo(3);
    }

    @Test
    void theMemoryBudgetBoundsHashesOfAnyCost() throws Exception {
        Gauge gauge = new Gauge();
        // room for 10 hashes by count, but only 4 x 1 MiB by memory; a stored hash of 3 MiB leaves room for 1 more
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(1024, 1, 1), new SecureRandom(),
                gauge, new HashLimit(10, 4096, Duration.ofMinutes(1)));
        flood(hashing, 12, hashing.hash("right".toCharArray()));
        assertThat(gauge.mostRunning.get()).isEqualTo(4);
        assertThat(gauge.mostMemory.get()).isEqualTo(4096);

        String large = new PasswordHashing(new PasswordHashing.Argon2Cost(3072, 1, 1), new SecureRandom())
                .hash("right".toCharArray());
        gauge.mostMemory.set(0);
        flood(hashing, 12, large);
        assertThat(gauge.mostMemory.get()).isLessThanOrEqualTo(4096);
    }

    @Test
    void aHashLargerThanTheWholeBudgetRunsAlone() throws Exception {
        Gauge gauge = new Gauge();
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(2048, 1, 1), new SecureRandom(),
                gauge, new HashLimit(8, 1024, Duration.ofMinutes(1)));
        flood(hashing, 6, hashing.hash("right".toCharArray()));
        assertThat(gauge.mostRunning.get()).isEqualTo(1);
    }

    @Test
    void waitersAreServedInTheOrderTheyCame() throws Exception {
        HashLimit limit = new HashLimit(1, 1024, Duration.ofMinutes(1));
        List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (HashLimit.Turn held = limit.acquire(512)) {
            for (int i = 0; i < 5; i++) {
                int n = i;
                Thread t = new Thread(() -> {
                    try (HashLimit.Turn turn = limit.acquire(512)) {
                        order.add(n);
                    }
                });
                t.start();
                threads.add(t);
                while (limit.waiting() < i + 1) { // wait until this one queues before starting the next
                    Thread.onSpinWait();
                }
            }
        }
        for (Thread t : threads) {
            t.join(10_000);
        }
        assertThat(order).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void aWaitPastTheLimitIsABusyErrorNotAWrongPassword() throws Exception {
        HashLimit limit = new HashLimit(1, 1024, Duration.ofMillis(50));
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(64, 1, 1), new SecureRandom(),
                Argon2.java(), limit);
        String stored = hashing.hash("right".toCharArray());
        try (HashLimit.Turn held = limit.acquire(64)) {
            assertThatThrownBy(() -> hashing.verify("right".toCharArray(), stored))
                    .isInstanceOf(HashingBusyException.class).hasMessageContaining("busy");
        }
        assertThat(hashing.verify("right".toCharArray(), stored)).as("the turn was given back").isTrue();
    }

    @Test
    void anInterruptedWaitGivesUpAndKeepsTheInterrupt() throws Exception {
        HashLimit limit = new HashLimit(1, 1024, Duration.ofMinutes(1));
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger outcome = new AtomicInteger();
        try (HashLimit.Turn held = limit.acquire(64)) {
            Thread t = new Thread(() -> {
                try {
                    limit.acquire(64).close();
                } catch (HashingBusyException e) {
                    outcome.set(Thread.currentThread().isInterrupted() ? 1 : 2);
                }
                done.countDown();
            });
            t.start();
            while (limit.waiting() == 0) {
                Thread.onSpinWait();
            }
            t.interrupt();
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(outcome.get()).isEqualTo(1);
        assertThat(limit.waiting()).isZero();
    }

    @Test
    void theDefaultIsSizedFromProcessorsAndHeap() {
        HashLimit limit = HashLimit.forThisJvm(0, HashLimit.DEFAULT_MAX_WAIT);
        assertThat(limit.maxConcurrent()).isEqualTo(2 * Runtime.getRuntime().availableProcessors());
        assertThat((long) limit.memoryBudgetKib()).isEqualTo(Runtime.getRuntime().maxMemory() / 4 / 1024);
        assertThat(HashLimit.forThisJvm(5, HashLimit.DEFAULT_MAX_WAIT).maxConcurrent()).isEqualTo(5);
        assertThat(HashLimit.shared()).isSameAs(HashLimit.shared());
    }
}
