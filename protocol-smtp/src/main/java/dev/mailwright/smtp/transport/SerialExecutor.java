package dev.mailwright.smtp.transport;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: one per connection. A thread
 * may also run work itself, in order with the tasks, between {@link #tryEnter()} and {@link #leave()}.
 */
final class SerialExecutor implements Executor {

    private final Executor pool;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();

    SerialExecutor(Executor pool) {
        this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        schedule();
    }

    /**
     * Makes the calling thread the executor when nothing is queued or running; then
     * {@link #leave()} must follow. Tasks submitted meanwhile wait for it.
     */
    boolean tryEnter() {
        return tasks.isEmpty() && running.compareAndSet(false, true);
    }

    /** Ends {@link #tryEnter()}: what was submitted meanwhile runs on the pool. */
    void leave() {
        running.set(false);
        schedule();
    }

    private void schedule() {
        if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            pool.execute(this::drain);
        }
    }

    private void drain() {
        try {
            Runnable task;
            int budget = 64; // let other connections run too
            while (budget-- > 0 && (task = tasks.poll()) != null) {
                task.run();
            }
        } finally {
            running.set(false);
            schedule();
        }
    }
}
