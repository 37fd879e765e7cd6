package dev.mailwright.server;

import dev.mailwright.server.config.StartupException;
import dev.mailwright.protocol.Listener;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.server.ops.Metrics;
import dev.mailwright.server.ops.OpsHttpServer;
import dev.mailwright.server.tls.ServerTls;
import dev.mailwright.store.MailStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The all-in-one server: database (opened in the background while TLS and metrics load), TLS,
 * every listener the protocol modules contribute, the outbound worker and the operations HTTP
 * port, started in that order and stopped in the reverse one.
 */
public final class MailwrightServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MailwrightServer.class);

    private final ServerConfig config;
    private final NodeIdentity node;
    private final Database database;
    private final ServerTls tls;
    private final List<Listener> listeners;
    private final ServerComponent component;
    private final OpsHttpServer ops;
    /** Null when the server could not listen for admin commands. */
    private final AdminSocket adminSocket;
    private final ScheduledExecutorService housekeeping;
    private final PrometheusMeterRegistry registry;
    private volatile boolean closed;

    private MailwrightServer(ServerConfig config, NodeIdentity node, Database database, ServerTls tls,
                             List<Listener> listeners, ServerComponent component, OpsHttpServer ops,
                             AdminSocket adminSocket, ScheduledExecutorService housekeeping,
                             PrometheusMeterRegistry registry) {
        this.adminSocket = adminSocket;
        this.config = config;
        this.node = node;
        this.database = database;
        this.tls = tls;
        this.listeners = listeners;
        this.component = component;
        this.ops = ops;
        this.housekeeping = housekeeping;
        this.registry = registry;
    }

    /** Starts everything; throws {@link StartupException} (nothing left running) when something cannot start. */
    public static MailwrightServer start(ServerConfig config) {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(config.dataDir());
        } catch (IOException e) {
            throw new StartupException("data-dir " + config.dataDir() + " cannot be created: " + e.getMessage(), e);
        }
        NodeIdentity node = NodeIdentity.claim(config);
        // PostgreSQL starts (and Flyway checks the schema) while this thread loads metrics and TLS
        Database.Opening opening;
        try {
            opening = Database.openInBackground(config, Database.Schema.MIGRATE_IF_BEHIND);
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
        PrometheusMeterRegistry registry;
        ServerTls tls;
        try {
            registry = Metrics.newRegistry();
            tls = ServerTls.load(config);
        } catch (RuntimeException | Error e) {
            opening.abandon();
            node.close();
            throw e;
        }
        Database database;
        try {
            database = opening.join();
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
        Metrics.bindStore(registry, database.store());
        long dbReady = System.nanoTime();
        List<Listener> started = new ArrayList<>();
        ScheduledExecutorService housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mailwright-housekeeping");
            t.setDaemon(true);
            return t;
        });
        ServerComponent component = null;
        OpsHttpServer ops = null;
        AdminSocket adminSocket = null;
        try {
            int released = database.store().takeOverNode(node.id());
            if (released > 0) {
                LOG.info("released {} maildrop lock(s) this node (node-id {}) held when it last stopped", released,
                        node.id());
            }
            QueueSignallingStore store = new QueueSignallingStore(database.store());
            component = DaggerServerComponent.factory().create(config, store, tls.config(), registry);
            component.outboundWorker().ifPresent(w -> store.onQueued(w::wakeUp));
            List<Listener> listeners = component.listeners().stream()
                    .sorted(Comparator.comparingInt(l -> ServerConfig.LISTENER_NAMES.indexOf(l.name()))).toList();
            for (Listener l : listeners) {
                try {
                    l.start();
                } catch (IOException | RuntimeException e) {
                    throw new StartupException("listeners." + l.name() + ": cannot listen on "
                            + addressOf(config, l.name()) + ": " + (isBindFailure(e) ? "address already in use"
                            : e.getMessage()), e);
                }
                started.add(l);
            }
            component.backgroundServices().forEach(BackgroundService::start);
            ServerConfig.Listener metrics = config.listener("metrics");
            if (metrics.enabled()) {
                List<Listener> bound = List.copyOf(started);
                try {
                    ops = OpsHttpServer.start(metrics.address(), metrics.port(), registry, List.of(
                            database::readinessProblem,
                            () -> bound.stream().allMatch(MailwrightServer::isBound) ? null : "a listener is not bound"));
                } catch (BindException e) {
                    throw new StartupException("listeners.metrics: cannot listen on " + metrics.address() + ":"
                            + metrics.port() + ": address already in use", e);
                }
            }
            housekeeping.scheduleWithFixedDelay(tls.keys()::reloadIfChanged, 30, 30, TimeUnit.SECONDS);
            try {
                adminSocket = AdminSocket.start(config);
            } catch (IOException | RuntimeException e) {
                LOG.warn("admin commands will not run in the server (each starts on its own): {}", e.toString());
            }
        } catch (RuntimeException | IOException e) {
            for (int i = started.size() - 1; i >= 0; i--) {
                started.get(i).stop();
            }
            if (component != null) {
                component.backgroundServices().forEach(BackgroundService::stop);
            }
            if (ops != null) {
                ops.close();
            }
            housekeeping.shutdownNow();
            database.close();
            node.close();
            if (e instanceof StartupException se) {
                throw se;
            }
            throw new StartupException("cannot start: " + e.getMessage(), e);
        }
        MailwrightServer server = new MailwrightServer(config, node, database, tls, started, component, ops,
                adminSocket, housekeeping, registry);
        LOG.info("Mailwright ready in {} ms (database {} ms): {}", (System.nanoTime() - t0) / 1_000_000,
                (dbReady - t0) / 1_000_000, server.describeListeners());
        LOG.info("password hashes: {}", database.hashing().describe());
        return server;
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    private static boolean isBound(Listener l) {
        try {
            return l.boundAddress() != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String addressOf(ServerConfig config, String name) {
        ServerConfig.Listener l = config.listener(name);
        return l == null ? name : l.address() + ":" + l.port();
    }

    private String describeListeners() {
        String mail = listeners.stream().map(l -> l.name() + " " + l.boundAddress().getHostString() + ":" + l.port())
                .collect(Collectors.joining(", "));
        return ops == null ? mail : mail + ", metrics " + config.listener("metrics").address() + ":" + ops.port();
    }

    /** The bound port of each listener by name (real ports when configured with port 0). */
    public Map<String, Integer> ports() {
        Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        listeners.forEach(l -> ports.put(l.name(), l.port()));
        if (ops != null) {
            ports.put("metrics", ops.port());
        }
        return ports;
    }

    public MailStore store() {
        return database.store();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public ServerTls tls() {
        return tls;
    }

    /**
     * Graceful stop: listeners stop accepting and end their sessions (SMTP transactions in
     * flight get the grace period, POP3 sessions end without committing deletions), background
     * services stop, then the database (and the embedded PostgreSQL) closes. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        LOG.info("stopping");
        if (adminSocket != null) {
            adminSocket.close();
        }
        List<Thread> stopping = new ArrayList<>();
        for (Listener l : listeners) {
            Thread t = new Thread(l::stop, "stop-" + l.name());
            t.start();
            stopping.add(t);
        }
        for (Thread t : stopping) {
            try {
                t.join(config.shutdownGracePeriod().toMillis() + 10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        component.backgroundServices().forEach(BackgroundService::stop);
        if (ops != null) {
            ops.close();
        }
        housekeeping.shutdownNow();
        database.close();
        node.close();
        LOG.info("stopped in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }
}
