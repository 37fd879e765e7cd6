package dev.mailwright.admin;

import dev.mailwright.store.MailStore;
import dev.mailwright.store.StoreUnavailableException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the admin commands need from the server configuration. The launcher implements it;
 * the commands never read the configuration themselves (ADR 0001).
 */
public interface AdminContext {

    /**
     * Opens the store for the configured database; the caller closes it when the command is
     * done. With the embedded default the implementation connects to the running embedded
     * PostgreSQL if there is one, or starts it for the duration of the command (stopping it
     * on {@link MailStore#close()}). Throws {@link StoreUnavailableException} when the
     * database cannot be reached.
     */
    MailStore openStore();

    /** The schema of the configured database, for {@code db migrate|status}; empty for a store without one (in memory). */
    Optional<DatabaseSchema> schema();

    /**
     * The database role the server's configuration logs in as, and whether it is a superuser
     * ({@code check} warns then: ADR 0029); empty for a store without one.
     */
    default Optional<DatabaseRole> databaseRole() {
        return Optional.empty();
    }

    /** A database login role: its name, and whether it is a superuser. */
    record DatabaseRole(String name, boolean superuser) {
    }

    /** Dumps and restores of the configured database ({@code db dump|restore}); empty for a store without one. */
    default Optional<DatabaseBackup> backup() {
        return Optional.empty();
    }

    /** Where the configuration came from ({@code /etc/mailwright/mailwright.conf}, {@code built-in defaults}), shown by {@code check}. */
    String configurationSource();

    /** Problems the launcher found in the configuration that did not stop it; shown by {@code check}. */
    default List<String> configurationWarnings() {
        return List.of();
    }

    /** The configured host name (greeting, HELO, Message-ID). */
    String hostname();

    /** {@code smtp.postmaster}: where mail for postmaster@ a domain without its own goes; {@code check} warns when none. */
    default Optional<String> postmaster() {
        return Optional.empty();
    }

    Path dataDirectory();

    /**
     * The PEM certificate (chain) the listeners use, or empty for the self-signed certificate
     * the server generates under the data directory on first start.
     */
    Optional<Path> certificate();

    /** The enabled listeners, in start order. */
    List<Listener> listeners();

    /** DKIM selectors whose {@code selector._domainkey.domain} records {@code check} looks up; none by default. */
    default List<String> dkimSelectors() {
        return List.of();
    }

    /**
     * What other servers see of {@code domain} held against what this server does (our SPF lets our
     * host send, the published DKIM key is the one we sign with, the MTA-STS policy names our host,
     * TLS reporting), given the DKIM keys in the store; none by default. The launcher answers with
     * the server's own SPF evaluation and MTA-STS fetch.
     */
    default List<PublishedCheck> published(String domain, List<dev.mailwright.store.DkimKey> keys) {
        return List.of();
    }

    /** One finding of {@link #published}: {@code status} is ok, warn, fail or skip, as {@code check} prints it. */
    record PublishedCheck(String check, String target, String status, String detail) {
    }

    /** One enabled listener: its name in the configuration ({@code smtp}, {@code pop3s}...) and where it binds. */
    record Listener(String name, String address, int port) {
    }

    /** The versioned schema of the database (Flyway for PostgreSQL). */
    interface DatabaseSchema {
        /** What is applied and what is pending; never changes anything. */
        SchemaStatus status();

        /** Applies the pending migrations in order; returns the status afterwards. */
        SchemaStatus migrate();
    }

    /** A logical dump of every Mailwright table into one file, and its restore. */
    interface DatabaseBackup {
        /** Writes the dump into {@code file}, which must not exist; works while the server runs. */
        BackupSummary dump(Path file);

        /** Loads {@code file} into a database without Mailwright data, or replacing it when {@code replace}; the server must be stopped. */
        BackupSummary restore(Path file, boolean replace);
    }

    /** The schema version of a dump and the rows of each table it holds. */
    record BackupSummary(String schemaVersion, java.util.Map<String, Long> rows) {
        public BackupSummary {
            rows = java.util.Map.copyOf(rows);
        }

        public long totalRows() {
            return rows.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** Applied and pending migrations, oldest first. */
    record SchemaStatus(List<Migration> applied, List<Migration> pending) {
        public SchemaStatus {
            applied = List.copyOf(applied);
            pending = List.copyOf(pending);
        }

        /** The version of the newest applied migration, if any. */
        public Optional<String> currentVersion() {
            return applied.isEmpty() ? Optional.empty() : Optional.of(applied.get(applied.size() - 1).version());
        }
    }

    /** One migration; {@code installedOn} is empty while it is pending. */
    record Migration(String version, String description, Optional<Instant> installedOn) {
    }
}
