package dev.mailwright.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MailStoreContract;
import dev.mailwright.store.MutableClock;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.testing.TestDatabases;
import dev.mailwright.store.postgres.testing.TestDatabases.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store contract against a real PostgreSQL. */
class PostgresMailStoreTest extends MailStoreContract {

    private static TestDatabase database;
    private static HikariDataSource pool;

    @BeforeAll
    static void createDatabase() {
        database = TestDatabases.fresh();
        pool = database.pool(16);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    protected MailStore createStore(MutableClock clock, PasswordHashing hashing) {
        database.truncate();
        return new PostgresMailStore(pool, clock, hashing);
    }
}
