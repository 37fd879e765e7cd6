package dev.mailwright.admin.command;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mailwright.admin.PasswordPrompt;
import dev.mailwright.admin.TestContext;
import dev.mailwright.admin.TestStores;
import dev.mailwright.dns.DnsLookup;
import dev.mailwright.dns.InMemoryZone;
import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.DeliveryReceipt;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.Resolution.LocalRecipient;
import dev.mailwright.store.postgres.testing.TestDatabases;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs commands through picocli's API against a fresh store ({@link TestStores}: in memory,
 * or PostgreSQL when the build asks for it), capturing stdout, stderr and the exit code.
 */
abstract class CommandTest {

    protected MailStore store;
    protected TestDatabases.TestDatabase database;
    protected TestContext context;
    /** Answers the password prompt gives, in order; empty means "no terminal". */
    protected final Deque<String> promptAnswers = new ArrayDeque<>();
    protected boolean terminal;
    protected java.time.Clock clock = java.time.Clock.systemUTC();
    /** No network in tests: every query times out unless a test gives a zone. */
    protected DnsLookup dns = new InMemoryZone().unanswered();

    record Result(int exit, String out, String err) {
        JsonNode json() {
            try {
                return new ObjectMapper().readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    @BeforeEach
    void openStore() {
        database = TestDatabases.fresh();
        store = TestStores.create(database);
        context = new TestContext(() -> new Unclosed(store));
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    protected Result run(String... args) {
        return runWithInput("", args);
    }

    protected Result runWithInput(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PasswordPrompt prompt = p -> Optional.ofNullable(promptAnswers.poll()).map(String::toCharArray);
        int exit = AdminCommands.builder(context)
                .streams(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8),
                        new ByteArrayInputStream(stdin.getBytes(UTF_8)))
                .passwordPrompt(prompt)
                .dns(dns)
                .terminal(terminal)
                .clock(clock)
                .build()
                .execute(args);
        return new Result(exit, out.toString(UTF_8), err.toString(UTF_8));
    }

    /** Runs SQL on the test database behind the store's back (to damage counters, say). */
    protected void sql(String statement) {
        try (Connection c = database.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new AssertionError(statement, e);
        }
    }

    protected Account user(String address) {
        Address a = Address.parse(address);
        if (!store.domains().exists(a.domain())) {
            store.domains().add(a.domain());
        }
        return store.accounts().add(a, "a-good-long-password".toCharArray());
    }

    protected DeliveryReceipt deliver(Account to, String content, Instant received) {
        try (Delivery d = store.deliveries().begin(Envelope.of(Optional.of(Address.parse("sender@remote.test")), received))) {
            d.addLocal(new LocalRecipient(to.id(), to.address()), 0L);
            d.content().write(content.getBytes(UTF_8));
            return d.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The commands close the store they open; the test keeps using it, so their close does nothing. */
    static class Unclosed extends dev.mailwright.store.ForwardingMailStore {

        Unclosed(MailStore delegate) {
            super(delegate);
        }

        @Override
        public void close() {
            // the test closes the real store
        }
    }
}
