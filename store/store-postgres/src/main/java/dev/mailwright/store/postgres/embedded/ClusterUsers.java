package dev.mailwright.store.postgres.embedded;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who uses the embedded cluster of one data directory, kept by the operating system so that it
 * survives {@code kill -9}: every process that uses the cluster (the server, each admin command)
 * holds a shared lock on {@code <data dir>.users} for as long as it does, and the kernel drops
 * the lock of a process that dies. A process that stops using it stops the cluster only if it
 * then gets that file's lock exclusively: nobody else uses it. Starting is serialised by an
 * exclusive lock on {@code <data dir>.lock}, so two processes never both run {@code pg_ctl start}.
 *
 * <p>A JVM holds one shared lock per data directory however many launchers it has open (Java
 * refuses overlapping locks inside one JVM), counted here.
 */
final class ClusterUsers {

    private static final Map<Path, ClusterUsers> BY_DATA_DIRECTORY = new ConcurrentHashMap<>();

    private final Path usersFile;
    private final Path startFile;
    private final ReentrantLock startInThisJvm = new ReentrantLock();
    private FileChannel channel;
    private FileLock shared;
    private int count;

    private ClusterUsers(Path data) {
        this.usersFile = data.resolveSibling(data.getFileName() + ".users");
        this.startFile = data.resolveSibling(data.getFileName() + ".lock");
    }

    static ClusterUsers of(Path data) {
        return BY_DATA_DIRECTORY.computeIfAbsent(data, ClusterUsers::new);
    }

    /** Counts this JVM as a user (waiting while another process is stopping the cluster). */
    synchronized void join() throws IOException {
        if (count == 0) {
            channel = FileChannel.open(usersFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                shared = channel.lock(0, Long.MAX_VALUE, true);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
        count++;
    }

    /**
     * Stops counting one user of this JVM; when it was the last one here and no other process
     * uses the cluster, runs {@code stop} while holding the users file exclusively (so nobody
     * joins a cluster being stopped). Returns whether {@code stop} ran.
     */
    synchronized boolean leave(StopAction stop) throws IOException {
        if (count == 0) {
            return false;
        }
        if (--count > 0) {
            return false;
        }
        try {
            shared.release();
            FileLock exclusive = channel.tryLock(0, Long.MAX_VALUE, false);
            if (exclusive == null) {
                return false; // another process uses it: it stops the cluster when it is done
            }
            try {
                stop.run();
                return true;
            } finally {
                exclusive.release();
            }
        } finally {
            channel.close();
            channel = null;
            shared = null;
        }
    }

    /** Runs {@code action} as the only process (and thread) that may start the cluster now. */
    <T> T whileStarting(StartAction<T> action) throws IOException {
        startInThisJvm.lock();
        try (FileChannel lockChannel = FileChannel.open(startFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockChannel.lock()) {
            return action.run();
        } finally {
            startInThisJvm.unlock();
        }
    }

    @FunctionalInterface
    interface StopAction {
        void run() throws IOException;
    }

    @FunctionalInterface
    interface StartAction<T> {
        T run() throws IOException;
    }
}
