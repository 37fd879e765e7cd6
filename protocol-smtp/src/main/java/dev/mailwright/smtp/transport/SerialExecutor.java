package dev.mailwright.smtp.transport;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: one per connection. A thread
 * may also run work itself, in order with the tasks, between {@link #tryEnter()} and {@link #leave()}.
 * The work running may {@linkplain #hold hold} the executor for a while: the tasks after it wait,
 * and no thread does.
 */
final class SerialExecutor implements Executor {

    private final Executor pool;
    private final ScheduledExecutorService timer;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean();
    /** Set by the work running ({@link #hold}); read by the same owner when it lets go. */
    private Runnable held;
    private long heldNanos;

    SerialExecutor(Executor pool, ScheduledExecutorService timer) {
        this.pool = pool;
        this.timer = timer;
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
        release();
    }

    /**
     * Called by the work running (a task, or between {@link #tryEnter()} and {@link #leave()}):
     * once it returns, the executor stays taken for {@code delay}, then runs {@code then} on the
     * pool before any task queued meanwhile.
     */
    void hold(Duration delay, Runnable then) {
        heldNanos = Math.max(0, delay.toNanos());
        held = then;
    }

    private void schedule() {
        if (!tasks.isEmpty() && running.compareAndSet(false, true)) {
            pool.execute(() -> drain(null));
        }
    }

    private void drain(Runnable first) {
        try {
            if (first != null) {
                first.run();
            }
            Runnable task;
            int budget = 64; // let other connections run too
            while (held == null && budget-- > 0 && (task = tasks.poll()) != null) {
                task.run();
            }
        } finally {
            release();
        }
    }

    /** The owner lets go: to the timer when a hold was asked for, otherwise to whoever comes next. */
    private void release() {
        Runnable then = held;
        if (then != null) {
            held = null;
            try {
                timer.schedule(() -> pool.execute(() -> drain(then)), heldNanos, TimeUnit.NANOSECONDS);
                return; // still taken: the timer's task owns the executor now
            } catch (RejectedExecutionException e) {
                then.run(); // the listener is stopping: no timer left, so no hold either
                held = null;
            }
        }
        running.set(false);
        schedule();
    }
}
