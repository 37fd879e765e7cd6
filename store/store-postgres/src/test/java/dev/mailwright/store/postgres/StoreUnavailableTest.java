package dev.mailwright.store.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.RemoteRecipient;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.StoreUnavailableException;
import dev.mailwright.store.Usage;
import dev.mailwright.password.PasswordHashing;
import dev.mailwright.store.postgres.embedded.EmbeddedPostgresLauncher;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A database that cannot answer makes every call fail with StoreUnavailableException, and changes nothing. */
class StoreUnavailableTest {

    private static final PasswordHashing HASHING =
            new PasswordHashing(new PasswordHashing.Argon2Cost(256, 1, 1), new SecureRandom());

    private Path base;
    private int port;

    @BeforeEach
    void makeDirectory() throws IOException {
        base = Files.createTempDirectory("mailwright-unavailable-test");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        port = freePort();
    }

    @AfterEach
    void removeDirectory() throws IOException {
        try (Stream<Path> paths = Files.walk(base)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static PostgresMailStore.Settings settings(String url, EmbeddedPostgresLauncher pg) {
        return new PostgresMailStore.Settings(url, Optional.of(pg == null ? "postgres" : pg.user()),
                Optional.ofNullable(pg == null ? null : pg.password()), 4, Duration.ofMillis(500));
    }

    /** Calls {@code call} until the store answers instead of throwing StoreUnavailableException, for up to a minute. */
    private static <T> T awaitAvailable(Callable<T> call) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (true) {
            try {
                return call.call();
            } catch (StoreUnavailableException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void closedPortMakesEveryCallUnavailable() throws IOException {
        String url = "jdbc:postgresql://127.0.0.1:" + freePort() + "/mailwright?connectTimeout=1";
        try (PostgresMailStore store = PostgresMailStore.open(settings(url, null), Clock.systemUTC(), HASHING, null)) {
            assertThatThrownBy(() -> store.domains().add("example.org")).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.accounts().authenticate("a@example.org", "pw".toCharArray()))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.recipients().resolve(Address.parse("a@example.org")))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.queue().claim("w", 10, Duration.ofMinutes(1)))
                    .isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.maildrops().open(1, "t", Duration.ofMinutes(1)))
                    .isInstanceOf(StoreUnavailableException.class);
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()));
            d.addRemote(RemoteRecipient.of(Address.parse("x@remote.test")));
            d.content().write("Subject: x\r\n\r\nbody\r\n".getBytes(UTF_8));
            assertThatThrownBy(d::commit).isInstanceOf(StoreUnavailableException.class);
            d.close();
        }
    }

    @Test
    void deliveryWhileTheDatabaseIsDownStoresNothingAndWorksAgainAfterwards() throws IOException {
        Path data = base.resolve("postgres");
        EmbeddedPostgresLauncher pg = EmbeddedPostgresLauncher.start(data, port);
        pg.createDatabase("mailwright");
        new SchemaMigrator(pg.dataSource("mailwright")).migrate();
        String url = pg.jdbcUrl("mailwright");
        try (PostgresMailStore store = PostgresMailStore.open(settings(url, pg), Clock.systemUTC(), HASHING, null)) {
            store.domains().add("example.org");
            Account a = store.accounts().add(Address.parse("ann@example.org"), "ann-password".toCharArray());
            Delivery d = store.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()));
            d.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
            d.content().write("Subject: x\r\n\r\nbody\r\n".getBytes(UTF_8));

            pg.close(); // fast shutdown: the pool's connections are cut

            assertThatThrownBy(d::commit).isInstanceOf(StoreUnavailableException.class);
            assertThatThrownBy(() -> store.accounts().get(a.id())).isInstanceOf(StoreUnavailableException.class);
            d.close();

            pg = EmbeddedPostgresLauncher.start(data, port);
            // The pool finds its way back by itself; how long that takes depends on the machine's load.
            assertThat(awaitAvailable(() -> store.accounts().get(a.id())).orElseThrow().usage()).isEqualTo(Usage.EMPTY);
            assertThat(store.queue().list()).isEmpty();
            try (Delivery again = store.deliveries().begin(Envelope.of(Optional.empty(), Clock.systemUTC().instant()))) {
                again.addLocal(new LocalRecipient(a.id(), a.address()), 0L);
                again.content().write("Subject: y\r\n\r\nbody\r\n".getBytes(UTF_8));
                again.commit();
            }
            assertThat(store.accounts().get(a.id()).orElseThrow().usage().messages()).isEqualTo(1);
        } finally {
            pg.close();
        }
    }
}
