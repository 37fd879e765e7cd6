package dev.mailwright.pop3.support;

import dev.mailwright.store.Account;
import dev.mailwright.store.Address;
import dev.mailwright.store.Delivery;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.MutableClock;
import dev.mailwright.store.Resolution;
import dev.mailwright.store.memory.InMemoryMailStore;
import dev.mailwright.password.PasswordHashing;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Optional;

/** An in-memory store with cheap password hashing, and helpers to fill it. */
public final class TestMail {

    public final MutableClock clock = new MutableClock(java.time.Instant.parse("2026-01-01T08:00:00Z"));
    public final InMemoryMailStore memory;
    public final FlakyMailStore store;

    public TestMail() {
        this(false);
    }

    /** With SCRAM-SHA-256 keys kept (600,000 iterations) when {@code scram}; off by default, as in the server. */
    public TestMail(boolean scram) {
        PasswordHashing hashing = new PasswordHashing(new PasswordHashing.Argon2Cost(1024, 1, 1), new SecureRandom());
        memory = new InMemoryMailStore(clock, scram ? hashing.withScram(600_000) : hashing);
        store = new FlakyMailStore(memory);
        memory.domains().add("example.org");
    }

    public MailStore store() {
        return store;
    }

    public Account account(String address, String password) {
        Address a = Address.parse(address);
        if (!memory.domains().exists(a.domain())) {
            memory.domains().add(a.domain());
        }
        return memory.accounts().add(a, password.toCharArray());
    }

    public Account get(String address) {
        return memory.accounts().get(Address.parse(address)).orElseThrow();
    }

    /** Delivers content exactly as given (bare LF and all). */
    public void deliver(String address, String content) {
        deliver(address, content.getBytes(StandardCharsets.UTF_8), Optional.empty());
    }

    public void deliver(String address, byte[] content, Optional<String> uidl) {
        Account a = get(address);
        try (Delivery d = memory.deliveries().begin(Envelope.of(Optional.empty(), clock.instant()))) {
            Resolution.LocalRecipient r = new Resolution.LocalRecipient(a.id(), a.address());
            if (uidl.isPresent()) {
                d.addLocal(r, uidl);
            } else {
                d.addLocal(r, content.length);
            }
            d.content().write(content);
            d.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A message of exactly {@code size} octets in wire form. */
    public static String messageOfSize(int n, int size) {
        StringBuilder b = new StringBuilder("Subject: message " + n + "\r\n\r\n");
        int r = size - b.length();
        if (r < 0) {
            throw new IllegalArgumentException("too small");
        }
        while (r > 0) {
            int line = r <= 74 ? r : (r - 72 == 1 ? 71 : 72);
            b.append("x".repeat(Math.max(0, line - 2))).append("\r\n");
            r -= line;
        }
        if (b.length() != size) {
            throw new IllegalStateException("size " + b.length());
        }
        return b.toString();
    }

    public int messageCount(String address) {
        return (int) get(address).usage().messages();
    }
}
