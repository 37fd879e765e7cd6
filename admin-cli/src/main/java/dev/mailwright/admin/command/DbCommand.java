package dev.mailwright.admin.command;

import dev.mailwright.admin.AdminContext.DatabaseSchema;
import dev.mailwright.admin.AdminContext.Migration;
import dev.mailwright.admin.AdminContext.SchemaStatus;
import dev.mailwright.admin.output.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code db migrate|status}: the database schema, through the launcher's migrator (Flyway for PostgreSQL). */
@Command(name = "db", description = "The database schema: status and migration.")
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
