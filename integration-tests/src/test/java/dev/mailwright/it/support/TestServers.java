package dev.mailwright.it.support;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mailwright.server.MailwrightServer;
import dev.mailwright.server.Main;
import dev.mailwright.server.config.ConfigLoader;
import dev.mailwright.server.config.ServerConfig;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whole servers in this JVM, configured as an operator would (environment variables), on an
 * external PostgreSQL: every listener on a free port of 127.0.0.1, TLS with the self-signed
 * certificate generated in the data directory, and the admin commands run through
 * {@link Main#run} with the same environment.
 */
public final class TestServers {

    private TestServers() {
    }

    /** The environment of a server on {@code db} with its data directory at {@code dataDir}. */
    public static Map<String, String> env(Path dataDir, TestDatabases.TestDatabase db) {
        return env(dataDir, db.jdbcUrl(), db.user(), db.password());
    }

    public static Map<String, String> env(Path dataDir, String jdbcUrl, String user, String password) {
        Map<String, String> env = new HashMap<>();
        for (String l : ServerConfig.LISTENER_NAMES) {
            env.put(ConfigLoader.envName("listeners." + l + ".port"), "0");
        }
        env.put("MAILWRIGHT_HOME", dataDir.toString());
        env.put("MAILWRIGHT_DATABASE_URL", jdbcUrl);
        env.put("MAILWRIGHT_DATABASE_USER", user);
        env.put("MAILWRIGHT_DATABASE_PASSWORD", password == null ? "" : password);
        env.put("MAILWRIGHT_SHUTDOWN_GRACE_PERIOD", "2s");
        // queue contents are asserted directly: no worker may take items away meanwhile
        env.put("MAILWRIGHT_OUTBOUND_ENABLED", "false");
        return env;
    }

    public static ServerConfig config(Map<String, String> env) {
        return ConfigLoader.load(Optional.empty(), env);
    }

    public static MailwrightServer start(Map<String, String> env) {
        return MailwrightServer.start(config(env));
    }

    /** Runs an admin command as {@code ./mailwright ARGS} would with this environment; returns its standard output. */
    public static String admin(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8),
                new ByteArrayInputStream(stdin == null ? new byte[0] : stdin.getBytes(UTF_8)), env);
        assertThat(code).as("mailwright " + String.join(" ", args) + ": " + err.toString(UTF_8)).isZero();
        return out.toString(UTF_8);
    }

    /** {@code user add ADDRESS --password-stdin}. */
    public static void addUser(Map<String, String> env, String address, String password) {
        admin(env, password + "\n", "user", "add", address, "--password-stdin");
    }
}
