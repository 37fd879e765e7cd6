package dev.mailwright.admin;

import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.store.password.PasswordHashing;
import java.security.SecureRandom;
import java.time.Clock;

/** The store the command tests run against. */
public final class TestStores {

    /** Cheap Argon2id so the tests stay fast; same scheme as production. */
    public static final PasswordHashing TEST_HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());

    private TestStores() {
    }

    public static MailStore create() {
        return new InMemoryMailStore(Clock.systemUTC(), TEST_HASHING);
    }
}
