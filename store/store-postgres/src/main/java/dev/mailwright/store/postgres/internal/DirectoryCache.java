package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.Resolution;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recipient resolutions remembered between deliveries, so that an RCPT for an address resolved
 * a moment ago costs no round trip to the database.
 *
 * <p>Never stale for longer than a notification takes: every change to what resolution reads
 * (domains, aliases, the address, state and quota of accounts) notifies channel
 * {@value #CHANNEL} when it commits (triggers of migration V4, whichever process or node made
 * it), and a connection that listens on that channel clears everything remembered. While that
 * connection is not listening (not yet started, or the database went away) nothing is
 * remembered and every resolution goes to the database. Changes made through this store clear
 * it at once, without waiting for their notification. An entry also lapses after {@link #TTL}.
 *
 * <p>Callers keep only what needs no current figures: a resolution whose mailboxes have a
 * quota is not kept, because checking a quota needs the mailbox's usage as it is now.
 */
public final class DirectoryCache implements AutoCloseable {

    /** The notification channel of directory changes (see V4__directory_notifications.sql). */
    public static final String CHANNEL = "mailwright_directory";

    /** The longest an entry is used. */
    static final long TTL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The most entries kept; past it, everything is forgotten and filled again. */
    static final int MAX_ENTRIES = 10_000;

    /** How long the listener waits for a notification before it looks at its own state again. */
    private static final int POLL_MILLIS = 100;

    /** How often the listening connection is checked for life while no notifications come. */
    private static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);

    private static final Logger LOG = LoggerFactory.getLogger(DirectoryCache.class);

    private record Entry(Resolution resolution, long expires) {
    }

    private final DataSource dataSource;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private volatile boolean listening;
    private volatile boolean closed;
    private Thread listener; // guarded by this

    public DirectoryCache(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** The resolution remembered for {@code recipient} (as written: the key is exact), if any. */
    public Optional<Resolution> get(String recipient) {
        if (!listening) {
            startListening();
            return Optional.empty();
        }
        Entry entry = entries.get(recipient);
        if (entry == null) {
            return Optional.empty();
        }
        if (System.nanoTime() - entry.expires() > 0) {
            entries.remove(recipient, entry);
            return Optional.empty();
        }
        return Optional.of(entry.resolution());
    }

    /** To be read before resolving; {@link #put} keeps nothing if the directory changed since. */
    public long generation() {
        return generation.get();
    }

    /** Remembers a resolution read from the database after {@link #generation()} returned {@code seen}. */
    public void put(String recipient, Resolution resolution, long seen) {
        if (!listening || generation.get() != seen) {
            return;
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(recipient, new Entry(resolution, System.nanoTime() + TTL_NANOS));
        if (generation.get() != seen) {
            // a change came in while the entry went in: it must not outlive the change
            entries.remove(recipient);
        }
    }

    /** Forgets everything: the directory changed. */
    public void invalidate() {
        generation.incrementAndGet();
        entries.clear();
    }

    /** Whether resolutions are being remembered now (for tests). */
    boolean listening() {
        return listening;
    }

    private synchronized void startListening() {
        if (listener != null || closed) {
            return;
        }
        listener = new Thread(this::listen, "mailwright-directory-listener");
        listener.setDaemon(true);
        listener.start();
    }

    private void listen() {
        while (!closed) {
            try (Connection c = dataSource.getConnection()) {
                try (Statement s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                invalidate();
                listening = true;
                long checked = System.nanoTime();
                while (!closed) {
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        invalidate();
                    }
                    if (System.nanoTime() - checked > CHECK_NANOS) {
                        try (Statement s = c.createStatement()) {
                            s.execute("SELECT 1"); // a connection that died quietly fails here
                        }
                        checked = System.nanoTime();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                LOG.debug("directory notifications interrupted; resolving every recipient in the database meanwhile", e);
            } finally {
                listening = false;
                invalidate();
            }
            pause();
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    /** Stops listening and gives the connection back; nothing is remembered after. */
    @Override
    public void close() {
        Thread running;
        synchronized (this) {
            closed = true;
            running = listener;
        }
        if (running != null) {
            running.interrupt();
            try {
                running.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        listening = false;
        invalidate();
    }
}
