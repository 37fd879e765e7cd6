package dev.mailwright.admin;

import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.PostgresMailStore;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.security.SecureRandom;
import java.time.Clock;

/** The store the command tests run against. */
public final class TestStores {

    /** Cheap Argon2id so the tests stay fast; same scheme as production. */
    public static final PasswordHashing TEST_HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());

    private TestStores() {
    }

    /**
     * A fresh PostgreSQL database with the schema migrated (environment JDBC URL, else
     * Testcontainers when Docker answers, else the embedded PostgreSQL), as the commands meet it
     * in production. Closing the store closes its pool.
     */
    public static MailStore create() {
        return create(TestDatabases.fresh());
    }

    /** A store on a given test database, for tests that also look at (or damage) the rows themselves. */
    public static MailStore create(TestDatabases.TestDatabase database) {
        return PostgresMailStore.open(database.settings(4), Clock.systemUTC(), TEST_HASHING, null);
    }

    /** The in-memory store, for tests of the command layer alone. */
    public static MailStore inMemory() {
        return new InMemoryMailStore(Clock.systemUTC(), TEST_HASHING);
    }
}
