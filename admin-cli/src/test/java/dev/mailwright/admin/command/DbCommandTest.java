package dev.mailwright.admin.command;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mailwright.admin.AdminContext;
import dev.mailwright.admin.AdminContext.Migration;
import dev.mailwright.admin.AdminContext.SchemaStatus;
import dev.mailwright.store.StoreUnavailableException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DbCommandTest extends CommandTest {

    /** Two migrations, the second pending until migrate. */
    private final class FakeSchema implements AdminContext.DatabaseSchema {
        final List<Migration> applied = new ArrayList<>(List.of(
                new Migration("1", "initial schema", Optional.of(Instant.parse("2026-01-01T00:00:00Z")))));
        final List<Migration> pending = new ArrayList<>(List.of(new Migration("2", "mailbox index", Optional.empty())));

        @Override
        public SchemaStatus status() {
            return new SchemaStatus(applied, pending);
        }

        @Override
        public SchemaStatus migrate() {
            pending.forEach(m -> applied.add(new Migration(m.version(), m.description(), Optional.of(Instant.now()))));
            pending.clear();
            return status();
        }
    }

    @Test
    void statusListsAppliedAndPendingMigrations() {
        context.schema = Optional.of(new FakeSchema());
        Result r = run("db", "status");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("initial schema").contains("pending")
                .endsWith("schema at version 1; 1 pending migration(s): run 'db migrate'\n");
        JsonNode json = run("db", "status", "--json").json();
        assertThat(json.fieldNames()).toIterable().containsExactly("current_version", "pending", "migrations");
        assertThat(json.get("migrations").get(1).fieldNames()).toIterable()
                .containsExactly("version", "description", "state", "installed_on");
        assertThat(json.get("migrations").get(1).get("installed_on").isNull()).isTrue();
    }

    @Test
    void migrateAppliesPendingMigrationsOnce() {
        context.schema = Optional.of(new FakeSchema());
        assertThat(run("db", "migrate").out()).isEqualTo("applied 1 migration(s); schema at version 2\n");
        assertThat(run("db", "migrate").out()).isEqualTo("schema is up to date at version 2\n");
    }

    @Test
    void storeWithoutSchemaIsAUserErrorAndUnreachableDatabaseAnEnvironmentError() {
        Result none = run("db", "status");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("error: the configured store has no database schema (in-memory store)\n");

        context.schema = Optional.of(new AdminContext.DatabaseSchema() {
            @Override
            public SchemaStatus status() {
                throw new StoreUnavailableException("connection refused", null);
            }

            @Override
            public SchemaStatus migrate() {
                throw new StoreUnavailableException("connection refused", null);
            }
        });
        Result down = run("db", "migrate");
        assertThat(down.exit()).isEqualTo(2);
        assertThat(down.err()).isEqualTo("error: database unavailable: connection refused\n");
    }
}
