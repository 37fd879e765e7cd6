package dev.mailwright.server;

import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Configurations for in-process servers: every port 0, a fresh test database, a temporary data directory. */
final class ServerTestSupport {

    private ServerTestSupport() {
    }

    static Map<String, String> env(Path dataDir, TestDatabases.TestDatabase db) {
        Map<String, String> env = new HashMap<>();
        for (String l : ServerConfig.LISTENER_NAMES) {
            env.put(ConfigLoader.envName("listeners." + l + ".port"), "0");
        }
        env.put("MAILWRIGHT_HOME", dataDir.toString());
        env.put("MAILWRIGHT_DATABASE_URL", db.jdbcUrl());
        env.put("MAILWRIGHT_DATABASE_USER", db.user());
        env.put("MAILWRIGHT_DATABASE_PASSWORD", db.password() == null ? "" : db.password());
        env.put("MAILWRIGHT_POP3_PLAINTEXT_WITHOUT_TLS", "false");
        env.put("MAILWRIGHT_SHUTDOWN_GRACE_PERIOD", "5s");
        return env;
    }

    static ServerConfig config(Path dataDir, TestDatabases.TestDatabase db) {
        return ConfigLoader.load(Optional.empty(), env(dataDir, db));
    }
}
