package dev.mailwright.admin.command;

import dev.mailwright.admin.AdminContext.BackupSummary;
import dev.mailwright.admin.AdminContext.DatabaseBackup;
import dev.mailwright.admin.AdminContext.DatabaseSchema;
import dev.mailwright.admin.AdminContext.Migration;
import dev.mailwright.admin.AdminContext.SchemaStatus;
import dev.mailwright.admin.output.Output;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code db migrate|status}: the database schema, through the launcher's migrator (Flyway for
 * PostgreSQL); {@code db dump|restore}: a backup of every Mailwright table in one file.
 */
@Command(name = "db", description = "The database: schema status and migration, dump and restore.")
final class DbCommand extends Group {

    private final Cli cli;

    DbCommand(Cli cli) {
        this.cli = cli;
    }

    @Command(name = "status", description = "Lists applied and pending migrations.")
    void status(@Option(names = "--json", description = "JSON instead of a table") boolean json) {
        SchemaStatus s = schema().status();
        List<Map<String, Object>> rows = new ArrayList<>();
        s.applied().forEach(m -> rows.add(row(m, "applied")));
        s.pending().forEach(m -> rows.add(row(m, "pending")));
        if (json) {
            Map<String, Object> r = Output.row();
            r.put("current_version", s.currentVersion());
            r.put("pending", s.pending().size());
            r.put("migrations", rows);
            cli.output().json(r);
            return;
        }
        cli.output().list(false, rows, List.of("version", "description", "state", "installed_on"));
        cli.output().line("schema at version " + s.currentVersion().orElse("(empty)") + "; " + s.pending().size()
                + " pending migration(s)" + (s.pending().isEmpty() ? "" : ": run 'db migrate'"));
    }

    @Command(name = "migrate", description = "Applies the pending migrations in order.")
    void migrate() {
        DatabaseSchema schema = schema();
        int pending = schema.status().pending().size();
        SchemaStatus after = schema.migrate();
        cli.output().line(pending == 0 ? "schema is up to date at version " + after.currentVersion().orElse("(empty)")
                : "applied " + (pending - after.pending().size()) + " migration(s); schema at version "
                        + after.currentVersion().orElse("(empty)"));
    }

    @Command(name = "dump", description = {"Writes every Mailwright table into FILE (a ZIP of PostgreSQL binary COPY data"
        + " and a manifest), in one consistent snapshot; works while the server runs."})
    void dump(@Parameters(paramLabel = "FILE", description = "the dump file to write; must not exist") Path file) {
        if (Files.exists(file)) {
            throw AdminException.user(file + " exists; not overwritten");
        }
        if (file.toAbsolutePath().getParent() == null || !Files.isDirectory(file.toAbsolutePath().getParent())) {
            throw AdminException.user("cannot write " + file + ": no such directory " + file.toAbsolutePath().getParent());
        }
        BackupSummary s = backup().dump(file);
        cli.output().line("dumped " + s.totalRows() + " row(s) of " + s.rows().size() + " table(s), schema version "
                + s.schemaVersion() + ", to " + file);
    }

    @Command(name = "restore", description = {"Loads a dump made by 'db dump' into a database without Mailwright data"
        + " (or replacing it, with --replace), in one transaction. Stop the server first."})
    void restore(@Parameters(paramLabel = "FILE", description = "a file written by 'db dump'") Path file,
                 @Option(names = "--replace", description = "replace the database's Mailwright data (all of it)") boolean replace) {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw AdminException.user("cannot read " + file + ": no such file");
        }
        BackupSummary s = backup().restore(file, replace);
        cli.output().line("restored " + s.totalRows() + " row(s) of " + s.rows().size() + " table(s), schema version "
                + s.schemaVersion() + ", from " + file);
    }

    private DatabaseBackup backup() {
        return cli.context().backup().orElseThrow(() -> AdminException.user(
                "the configured store has no database to dump or restore (in-memory store)"));
    }

    private DatabaseSchema schema() {
        return cli.context().schema().orElseThrow(() -> AdminException.user(
                "the configured store has no database schema (in-memory store)"));
    }

    private static Map<String, Object> row(Migration m, String state) {
        Map<String, Object> r = Output.row();
        r.put("version", m.version());
        r.put("description", m.description());
        r.put("state", state);
        r.put("installed_on", m.installedOn());
        return r;
    }
}
