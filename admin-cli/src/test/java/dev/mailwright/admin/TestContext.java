package dev.mailwright.admin;

import dev.mailwright.store.MailStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** An {@link AdminContext} for tests: a given store (not closed by the commands), settable configuration. */
public final class TestContext implements AdminContext {

    private final Supplier<MailStore> store;
    public Optional<DatabaseSchema> schema = Optional.empty();
    public Path dataDirectory = Path.of("target/test-data");
    public Optional<Path> certificate = Optional.empty();
    public final List<Listener> listeners = new ArrayList<>();
    public final List<String> dkimSelectors = new ArrayList<>();
    /** What {@link #published} answers, per domain; the DKIM keys it was given, per domain. */
    public final java.util.Map<String, List<PublishedCheck>> published = new java.util.HashMap<>();
    public final java.util.Map<String, List<dev.mailwright.store.DkimKey>> publishedKeys = new java.util.HashMap<>();
    public final List<String> warnings = new ArrayList<>();
    public Optional<String> postmaster = Optional.empty();
    public Optional<DatabaseRole> databaseRole = Optional.empty();

    public TestContext(Supplier<MailStore> store) {
        this.store = store;
    }

    @Override
    public MailStore openStore() {
        return store.get();
    }

    @Override
    public Optional<DatabaseSchema> schema() {
        return schema;
    }

    @Override
    public Optional<DatabaseRole> databaseRole() {
        return databaseRole;
    }

    @Override
    public String configurationSource() {
        return "test configuration";
    }

    @Override
    public List<String> configurationWarnings() {
        return warnings;
    }

    @Override
    public String hostname() {
        return "mail.example.org";
    }

    @Override
    public Optional<String> postmaster() {
        return postmaster;
    }

    @Override
    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public Optional<Path> certificate() {
        return certificate;
    }

    @Override
    public List<Listener> listeners() {
        return listeners;
    }

    @Override
    public List<String> dkimSelectors() {
        return dkimSelectors;
    }

    @Override
    public List<PublishedCheck> published(String domain, List<dev.mailwright.store.DkimKey> keys) {
        publishedKeys.put(domain, keys);
        return published.getOrDefault(domain, List.of());
    }
}
