package dev.mailwright.server;

import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.server.config.StartupException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Who this server is among the nodes that share one database, stable across its restarts: the
 * configured {@code node-id}, else a random one kept in {@code <data-dir>/node-id}. The store
 * marks the maildrop locks a node takes with it, so that the node's next run releases them at
 * once (its sessions died with it).
 *
 * <p>While the server runs it holds an exclusive lock on {@code <data-dir>/node.lock}, which the
 * kernel drops when the process dies (even by {@code kill -9}): a second server on the same data
 * directory would be the same node, and is refused.
 */
final class NodeIdentity implements AutoCloseable {

    static final String FILE = "node-id";
    static final String LOCK = "node.lock";

    private final String id;
    private final FileChannel lockFile;
    private final FileLock lock;

    private NodeIdentity(String id, FileChannel lockFile, FileLock lock) {
        this.id = id;
        this.lockFile = lockFile;
        this.lock = lock;
    }

    /** Takes the data directory's node lock, then reads (or makes) the node's identity. */
    static NodeIdentity claim(ServerConfig config) {
        Path dir = config.dataDir();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this JVM
            }
            if (lock == null) {
                throw new StartupException("data-dir " + dir + " is in use by another running Mailwright server;"
                        + " stop it first, or give this one its own data-dir");
            }
            String id = config.nodeId().isPresent() ? config.nodeId().get() : stored(dir.resolve(FILE));
            return new NodeIdentity(id, channel, lock);
        } catch (IOException e) {
            close(channel);
            throw new StartupException("data-dir " + dir + ": cannot keep the node identity: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    /** The identity in {@code file}, made on first use (written whole, then moved into place). */
    private static String stored(Path file) throws IOException {
        if (Files.exists(file)) {
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (!id.isEmpty()) {
                return id;
            }
        }
        String id = UUID.randomUUID().toString();
        Path tmp = file.resolveSibling(FILE + ".tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return id;
    }

    String id() {
        return id;
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        close(lockFile);
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // nothing to do
            }
        }
    }
}
