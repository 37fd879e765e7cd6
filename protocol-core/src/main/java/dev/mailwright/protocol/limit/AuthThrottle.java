package dev.mailwright.protocol.limit;

import dev.mailwright.protocol.Authenticator;
import dev.mailwright.store.Account;
import dev.mailwright.password.ScramCredentials;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The one throttle on failed logins, shared by every listener and every mechanism (POP3
 * USER/PASS, APOP and AUTH; SMTP AUTH; PLAIN, LOGIN, SCRAM-SHA-256). Nothing here sleeps: it
 * answers how long a reply is to be held, and the protocol holds it without a thread (its
 * connection's input waits meanwhile). See ADR 0018.
 *
 * <p><b>Sources.</b> Failures are counted per source: an IPv4 address, or an IPv6 /64 (one
 * subscriber's prefix; walking its 2^64 addresses gains nothing). Each failure holds its reply
 * {@code baseDelay * 2^(n-1)} (n: the source's failures in the window), at most
 * {@code maxDelay}, counted from the start of the attempt, not from the end of the check: how
 * long the check took (a quick imported {@code {PLAIN}} hash, a costly bcrypt one, an unknown
 * user's dummy hash) is hidden inside the hold whenever it is shorter (ADR 0029). Once a source has {@code maxFailures} failures in the {@code window}
 * (counted from its last failure), it is refused until the window passes: every attempt is
 * answered "try later" before any credential is looked at, so a refused guess costs no hash.
 *
 * <p><b>Accounts.</b> Failures are also counted per account (the user name as given, lower
 * case; only a hash of it is kept). After {@code freeAccountFailures} failures an account cools
 * down: failed guesses for it are spaced {@code baseDelay}, doubling per further failure, up to
 * {@code maxDelay}, from whichever sources they come. An attempt from a source that has
 * failures of its own reserves the account's next slot and its reply (success or failure
 * alike, so timing tells nothing) is held until that slot; when the slot is more than
 * {@code maxDelay} away the attempt is refused before any check. A source with no failure
 * record is never held or refused for an account: the real user, from an address that has not
 * been guessing, logs in at once during an attack on their account. That is also the limit of
 * the guarantee: each fresh source gets its first guess at an account answered at once; every
 * later one waits its turn.
 *
 * <p><b>Success</b> clears what that source failed against that account, nothing more: logging
 * into one's own account does not wipe the failures against another, and the account's own
 * record ages out with the window.
 *
 * <p><b>Memory</b> is bounded: sources, accounts and (source, account) pairs are three LRU
 * tables of at most {@code capacity} entries each, fixed-size keys; the least recently used
 * record is forgotten first, never the whole table. Thread-safe (one lock; the work under it is
 * a few map operations).
 */
public final class AuthThrottle {

    /**
     * @param baseDelay           the hold after a source's first failure; doubles per failure
     * @param maxDelay            the longest hold; also how far ahead an account's slots may be reserved
     * @param maxFailures         failures from one source within the window after which it is refused
     * @param window              how long a record lasts after its last failure
     * @param freeAccountFailures failures of an account before its guesses are spaced
     * @param capacity            records per table (sources, accounts, pairs)
     */
    public record Settings(Duration baseDelay, Duration maxDelay, int maxFailures, Duration window,
                           int freeAccountFailures, int capacity) {

        public static final Duration WINDOW = Duration.ofMinutes(15);
        public static final int FREE_ACCOUNT_FAILURES = 3;
        public static final int CAPACITY = 100_000;

        public Settings {
            Objects.requireNonNull(baseDelay);
            Objects.requireNonNull(maxDelay);
            Objects.requireNonNull(window);
            if (baseDelay.isNegative() || maxDelay.compareTo(baseDelay) < 0 || maxFailures < 1 || window.isNegative()
                    || window.isZero() || freeAccountFailures < 0 || capacity < 1) {
                throw new IllegalArgumentException("invalid throttle settings");
            }
        }

        /** The server's {@code limits.auth-failure-delay} and {@code limits.auth-max-failures}: holds up to 16 times the delay. */
        public static Settings of(Duration baseDelay, int maxFailures) {
            return new Settings(baseDelay, baseDelay.multipliedBy(16), maxFailures, WINDOW, FREE_ACCOUNT_FAILURES,
                    CAPACITY);
        }
    }

    private final Settings settings;
    private final Clock clock;
    private final Map<Source, Tally> sources;
    private final Map<AccountKey, AccountRecord> accounts;
    private final Map<Pair, Tally> pairs;

    public AuthThrottle(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.sources = lru(settings.capacity());
        this.accounts = lru(settings.capacity());
        this.pairs = lru(settings.capacity());
    }

    /** 1 s doubling up to 16 s; 5 failures per source per 15 minutes. */
    public static AuthThrottle standard() {
        return new AuthThrottle(Settings.of(Duration.ofSeconds(1), 5), Clock.systemUTC());
    }

    /** No holds and no refusals (tests of other things). */
    public static AuthThrottle disabled() {
        return new AuthThrottle(new Settings(Duration.ZERO, Duration.ZERO, Integer.MAX_VALUE, Duration.ofSeconds(1),
                Integer.MAX_VALUE, 1), Clock.systemUTC());
    }

    public Settings settings() {
        return settings;
    }

    /**
     * Starts one authentication attempt (one PASS, APOP or AUTH) from {@code client}. Ask
     * {@link Attempt#refused()} before anything else.
     */
    public Attempt attempt(InetAddress client) {
        return new Attempt(Source.of(client));
    }

    /** Whether attempts from this client are refused now (its source used up its failures). */
    public synchronized boolean refused(InetAddress client) {
        return sourceRefused(Source.of(client), clock.instant());
    }

    /** Sources, accounts and pairs tracked now (tests, metrics). */
    public synchronized int[] tracked() {
        return new int[] {sources.size(), accounts.size(), pairs.size()};
    }

    /** Why an attempt was refused. */
    public enum Refusal {
        /** The source used up its failures for the window. */
        SOURCE,
        /** The account's next slot is too far ahead for a source that has been failing. */
        ACCOUNT
    }

    /**
     * One authentication attempt: at most one credential check, then {@link #failed()} or
     * {@link #succeeded()}, whose answer is how long to hold the reply. Used from the
     * session's own thread; the throttle's state it touches is locked.
     */
    public final class Attempt {

        private final Source source;
        private final Instant started;
        private Refusal refusal;
        private AccountKey account;
        private Instant slot;
        private boolean over;

        private Attempt(Source source) {
            this.source = source;
            synchronized (AuthThrottle.this) {
                started = clock.instant();
                if (sourceRefused(source, clock.instant())) {
                    refusal = Refusal.SOURCE;
                }
            }
        }

        /** Whether the attempt must be answered "try later" without checking anything. */
        public boolean refused() {
            return refusal != null;
        }

        public Optional<Refusal> refusal() {
            return Optional.ofNullable(refusal);
        }

        /**
         * The account the attempt is for is now known, before its credentials are looked at:
         * checks the source again and takes the account's next slot when due. False when the
         * attempt is refused; then look at nothing. Only the first call counts.
         */
        public boolean admit(String username) {
            if (refusal != null) {
                return false;
            }
            if (account != null) {
                return true;
            }
            account = AccountKey.of(username);
            synchronized (AuthThrottle.this) {
                Instant now = clock.instant();
                if (sourceRefused(source, now)) {
                    refusal = Refusal.SOURCE;
                    return false;
                }
                Tally s = live(sources, source, now);
                AccountRecord a = live(accounts, account, now);
                if (s != null && a != null && a.failures >= settings.freeAccountFailures()) {
                    Instant next = a.nextSlot.isAfter(now) ? a.nextSlot : now;
                    if (Duration.between(now, next).compareTo(settings.maxDelay()) > 0) {
                        refusal = Refusal.ACCOUNT;
                        return false;
                    }
                    slot = next;
                    a.nextSlot = next.plus(spacing(a.failures));
                }
            }
            return true;
        }

        /**
         * The credentials were wrong: counts the failure against the source, the account and
         * the pair; returns how long to hold the failure reply: until the source's delay has
         * passed since the attempt started (or the account's slot, if later), whatever the
         * check cost.
         */
        public Duration failed() {
            if (refusal != null || over) {
                return Duration.ZERO;
            }
            over = true;
            synchronized (AuthThrottle.this) {
                Instant now = clock.instant();
                Tally s = count(sources, source, now, Tally::new);
                if (account != null) {
                    count(pairs, new Pair(source, account), now, Tally::new);
                    AccountRecord a = count(accounts, account, now, AccountRecord::new);
                    Instant cooled = now.plus(spacing(a.failures));
                    if (cooled.isAfter(a.nextSlot)) {
                        a.nextSlot = cooled;
                    }
                }
                Duration hold = Duration.between(now, started.plus(delay(s.failures)));
                if (hold.isNegative()) {
                    hold = Duration.ZERO;
                }
                Duration wait = slotWait(now);
                return wait.compareTo(hold) > 0 ? wait : hold;
            }
        }

        /**
         * The credentials were right: forgets what this source failed against this account
         * (and nothing else); returns how long to hold the success reply (non-zero only when
         * the attempt took a slot of a cooling account).
         */
        public Duration succeeded() {
            if (refusal != null || over) {
                return Duration.ZERO;
            }
            over = true;
            synchronized (AuthThrottle.this) {
                Instant now = clock.instant();
                if (account != null) {
                    Tally mine = live(pairs, new Pair(source, account), now);
                    Tally s = live(sources, source, now);
                    pairs.remove(new Pair(source, account));
                    if (mine != null && s != null) {
                        s.failures -= Math.min(mine.failures, s.failures);
                        if (s.failures == 0) {
                            sources.remove(source);
                        }
                    }
                }
                return slotWait(now);
            }
        }

        /**
         * How long to hold a reply of this attempt now: until the account slot it took, if it
         * took one. For the replies between the credential check and the outcome (SCRAM's
         * server-final message proves the password right and must not come sooner than a "no").
         */
        public Duration hold() {
            synchronized (AuthThrottle.this) {
                return slotWait(clock.instant());
            }
        }

        /** {@code accounts} with every credential lookup first announced to {@link #admit}: refused, it finds nothing and hashes nothing. */
        public Authenticator guard(Authenticator accounts) {
            return new Authenticator() {
                @Override
                public Optional<Account> authenticate(String username, char[] password) {
                    return admit(username) ? accounts.authenticate(username, password) : Optional.empty();
                }

                @Override
                public Optional<ScramCredentials> scramCredentials(String username) {
                    return admit(username) ? accounts.scramCredentials(username) : Optional.empty();
                }

                @Override
                public boolean scramEnabled() {
                    return accounts.scramEnabled();
                }

                @Override
                public ScramCredentials scramStandIn(String username) {
                    return accounts.scramStandIn(username);
                }

                @Override
                public Optional<Account> account(String username) {
                    return refused() ? Optional.empty() : accounts.account(username);
                }

                @Override
                public Optional<String> apopSecret(String username) {
                    return admit(username) ? accounts.apopSecret(username) : Optional.empty();
                }
            };
        }

        private Duration slotWait(Instant now) {
            if (slot == null) {
                return Duration.ZERO;
            }
            Duration d = Duration.between(now, slot);
            return d.isNegative() ? Duration.ZERO : d;
        }
    }

    // ------------------------------------------------------------------ internals (under the lock)

    private boolean sourceRefused(Source source, Instant now) {
        Tally s = live(sources, source, now);
        return s != null && s.failures >= settings.maxFailures();
    }

    /** The hold after a source's n-th failure. */
    Duration delay(int failures) {
        return doubled(failures - 1);
    }

    /** The least time between two failed guesses at an account with this many failures. */
    Duration spacing(int failures) {
        int over = failures - settings.freeAccountFailures();
        return over < 0 ? Duration.ZERO : doubled(over);
    }

    private Duration doubled(int shift) {
        if (settings.baseDelay().isZero() || shift < 0) {
            return Duration.ZERO;
        }
        Duration d = settings.baseDelay().multipliedBy(1L << Math.min(shift, 30));
        return d.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : d;
    }

    /** The record under {@code key} when its window has not passed; a stale one is dropped. */
    private <K, V extends Tally> V live(Map<K, V> table, K key, Instant now) {
        V v = table.get(key);
        if (v != null && v.last.plus(settings.window()).isBefore(now)) {
            table.remove(key);
            return null;
        }
        return v;
    }

    /** Counts one failure under {@code key}, starting a fresh record when there is none in the window. */
    private <K, V extends Tally> V count(Map<K, V> table, K key, Instant now, java.util.function.Function<Instant, V> fresh) {
        V v = live(table, key, now);
        if (v == null) {
            v = fresh.apply(now);
            table.put(key, v);
        }
        v.failures++;
        v.last = now;
        return v;
    }

    private static <K, V> Map<K, V> lru(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Failures in the window, and when the last one was. */
    private static class Tally {
        int failures;
        Instant last;

        Tally(Instant now) {
            last = now;
        }
    }

    /** An account's tally and the earliest time its next guess from a failing source may be answered. */
    private static final class AccountRecord extends Tally {
        Instant nextSlot;

        AccountRecord(Instant now) {
            super(now);
            nextSlot = now;
        }
    }

    /** An IPv4 address, or the /64 prefix of an IPv6 address (IPv4-mapped ones count as IPv4). */
    record Source(boolean v6, long bits) {

        static Source of(InetAddress address) {
            byte[] b = address.getAddress();
            if (address instanceof Inet4Address) {
                return new Source(false, ByteBuffer.wrap(b).getInt() & 0xffffffffL);
            }
            ByteBuffer buf = ByteBuffer.wrap(b);
            long high = buf.getLong();
            long low = buf.getLong();
            if (high == 0 && (low >>> 32) == 0xffffL) {
                return new Source(false, low & 0xffffffffL);
            }
            return new Source(true, high);
        }
    }

    /** 128 bits of SHA-256 of the lower-case user name: fixed size, and no user names kept in memory. */
    record AccountKey(long high, long low) {

        static AccountKey of(String username) {
            try {
                byte[] h = MessageDigest.getInstance("SHA-256")
                        .digest(username.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
                ByteBuffer buf = ByteBuffer.wrap(h);
                return new AccountKey(buf.getLong(), buf.getLong());
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record Pair(Source source, AccountKey account) {
    }
}
