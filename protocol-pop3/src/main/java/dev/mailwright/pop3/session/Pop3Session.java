package dev.mailwright.pop3.session;

import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.sasl.SaslExchange;
import dev.mailwright.store.Account;
import dev.mailwright.store.LeaseLostException;
import dev.mailwright.store.Maildrop;
import dev.mailwright.store.MaildropLockedException;
import dev.mailwright.store.MessageInfo;
import dev.mailwright.store.NotFoundException;
import dev.mailwright.store.StoreUnavailableException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state of one POP3 connection. Touched only from the connection's ordered executor, so
 * it needs no locking. Deletions are kept here until QUIT commits them.
 */
public final class Pop3Session {

    /** The protocol name metrics are reported under. */
    public static final String PROTOCOL = "pop3";

    private static final Logger SESSION_LOG = LoggerFactory.getLogger("dev.mailwright.pop3.session");

    private final Pop3Context context;
    private final String id;
    private final InetSocketAddress client;
    private final BooleanSupplier secure;
    private final BooleanSupplier tlsAvailable;
    private final Instant started;
    private final Optional<String> apopTimestamp;

    private Pop3State state = Pop3State.AUTHORIZATION;
    private String pendingUser;
    private Account account;
    private String username;
    private Maildrop maildrop;
    private MaildropLeases.Lease lease;
    private Runnable onLockLost = () -> { };
    private List<MessageInfo> messages = List.of();
    private final BitSet deleted = new BitSet();
    /** Octets of the whole snapshot, and of the messages marked deleted: STAT answers without a scan. */
    private long snapshotOctets;
    private long markedOctets;
    private final Set<Long> retrieved = new HashSet<>();
    private final ReadAhead readAhead;
    private boolean utf8;
    private int badCommands;
    private int authFailures;
    private SaslExchange sasl;
    private AuthThrottle.Attempt attempt;
    private int highestRetrieved;
    private boolean expireOnRetrieval;

    private long retrievedMessages;
    private long retrievedBytes;
    private long deletedMessages;
    private long deletedBytes;
    private String ending;

    public Pop3Session(Pop3Context context, String id, InetSocketAddress client, BooleanSupplier secure,
                       BooleanSupplier tlsAvailable) {
        this.context = context;
        this.id = id;
        this.client = client;
        this.secure = secure;
        this.tlsAvailable = tlsAvailable;
        this.started = context.clock().instant();
        this.readAhead = new ReadAhead(context.readers());
        this.apopTimestamp = context.settings().apop() ? Optional.of(context.apopTimestamps().get()) : Optional.empty();
    }

    public Pop3Context context() {
        return context;
    }

    public String id() {
        return id;
    }

    public InetAddress clientAddress() {
        return client.getAddress();
    }

    public Pop3State state() {
        return state;
    }

    public boolean isSecure() {
        return secure.getAsBoolean();
    }

    public boolean canStartTls() {
        return state == Pop3State.AUTHORIZATION && tlsAvailable.getAsBoolean();
    }

    /** Whether passwords may be sent in the clear now (USER/PASS, AUTH PLAIN/LOGIN). */
    public boolean plaintextAllowed() {
        return isSecure() || context.settings().plaintextWithoutTls();
    }

    public Optional<String> apopTimestamp() {
        return apopTimestamp;
    }

    public boolean utf8() {
        return utf8;
    }

    public void enableUtf8() {
        utf8 = true;
    }

    public Optional<String> pendingUser() {
        return Optional.ofNullable(pendingUser);
    }

    public void pendingUser(String user) {
        pendingUser = user;
    }

    public Optional<SaslExchange> sasl() {
        return Optional.ofNullable(sasl);
    }

    public void sasl(SaslExchange exchange) {
        sasl = exchange;
    }

    public Optional<Account> account() {
        return Optional.ofNullable(account);
    }

    /**
     * Counts a reply towards the bad-command limit: a bad one adds to the run of consecutive bad
     * commands, any other starts it again (as Dovecot counts). True when the limit is reached.
     */
    public boolean countBadCommand(boolean bad) {
        badCommands = bad ? badCommands + 1 : 0;
        return badCommands >= context.settings().limits().maxBadCommands();
    }

    /**
     * Starts a login attempt (PASS, APOP, AUTH) with the server's throttle; ask
     * {@link AuthThrottle.Attempt#refused()} before anything else. SASL continuation lines
     * find it in {@link #attempt()}.
     */
    public AuthThrottle.Attempt startAttempt() {
        attempt = context.throttle().attempt(clientAddress());
        return attempt;
    }

    /** The login attempt under way. */
    public AuthThrottle.Attempt attempt() {
        return attempt;
    }

    /**
     * Records a failed login attempt; returns how long to hold the failure reply, and whether
     * the connection should close (too many attempts on it, or its address is refused now).
     */
    public AuthFailure authFailed(AuthThrottle.Attempt failed) {
        context.metrics().authentication(PROTOCOL, false);
        pendingUser = null;
        Duration delay = failed.failed();
        authFailures++;
        boolean close = authFailures >= context.settings().maxAuthFailures() || context.throttle().refused(clientAddress());
        return new AuthFailure(delay, close);
    }

    public record AuthFailure(Duration delay, boolean close) {
    }

    // ------------------------------------------------------------------ login

    /** The effective LOGIN-DELAY for an account. */
    public Duration loginDelay(Optional<Account> a) {
        return a.flatMap(x -> x.policy().loginDelay()).orElse(context.settings().loginDelay());
    }

    /** The effective EXPIRE for an account; empty is NEVER. */
    public Optional<Duration> expire(Optional<Account> a) {
        Optional<Duration> own = a.flatMap(x -> x.policy().expire());
        return own.isPresent() ? own : context.settings().expire();
    }

    /**
     * Opens the maildrop of an authenticated account and enters TRANSACTION; on failure the
     * state stays AUTHORIZATION. Applies LOGIN-DELAY and EXPIRE.
     */
    public Pop3Reply login(Account a, String name) {
        Instant now = context.clock().instant();
        context.metrics().authentication(PROTOCOL, true);
        Duration delay = loginDelay(Optional.of(a));
        if (!delay.isZero() && a.lastLogin().isPresent() && a.lastLogin().get().plus(delay).isAfter(now)) {
            pendingUser = null;
            return Pop3Reply.err("LOGIN-DELAY", "minimum time between logins not reached, try later");
        }
        Optional<Duration> expire = expire(Optional.of(a));
        if (expire.isPresent() && !expire.get().isZero()) {
            context.store().maildrops().expire(a.id(), now.minus(expire.get()));
        }
        Maildrop m;
        try {
            m = context.store().maildrops().open(a.id(), context.nodeName() + "/" + id, context.settings().lease());
        } catch (MaildropLockedException e) {
            pendingUser = null;
            return Pop3Reply.err("IN-USE", "maildrop is locked by another session");
        } catch (NotFoundException e) {
            pendingUser = null;
            return Pop3Reply.err("SYS/PERM", "maildrop not available");
        }
        try {
            context.store().accounts().recordLogin(a.id(), now);
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        maildrop = m;
        lease = context.leases().held(m, onLockLost);
        messages = m.messages();
        snapshotOctets = messages.stream().mapToLong(MessageInfo::size).sum();
        account = a;
        username = name;
        pendingUser = null;
        expireOnRetrieval = expire.isPresent() && expire.get().isZero();
        state = Pop3State.TRANSACTION;
        return Pop3Reply.ok(name + "'s maildrop has " + count() + " messages (" + octets() + " octets)");
    }

    // ------------------------------------------------------------------ transaction

    public Maildrop maildrop() {
        return maildrop;
    }

    /** The next message of a RETR run, read while the current one is sent. */
    /** The snapshot taken at login: message number n is element n-1. */
    public List<MessageInfo> messages() {
        return messages;
    }

    public ReadAhead readAhead() {
        return readAhead;
    }

    /** Messages of the snapshot, deleted ones included. */
    public int size() {
        return messages.size();
    }

    public boolean isDeleted(int number) {
        return deleted.get(number);
    }

    /** Messages not marked deleted. */
    public int count() {
        return messages.size() - deleted.cardinality();
    }

    /** Octets of the messages not marked deleted. */
    public long octets() {
        return snapshotOctets - markedOctets;
    }

    /** Parses a message number argument and finds the message; {@link BadInputException} if there is none. */
    public MessageInfo message(String argument) {
        int n = messageNumber(argument);
        return messages.get(n - 1);
    }

    /** Parses and checks a message number (1..size, not deleted). */
    public int messageNumber(String argument) {
        if (argument == null || argument.isEmpty()) {
            throw new BadInputException("message number required");
        }
        if (!argument.chars().allMatch(c -> c >= '0' && c <= '9') || argument.length() > 9) {
            throw new BadInputException("invalid message number");
        }
        int n = Integer.parseInt(argument);
        if (n < 1 || n > messages.size()) {
            throw new BadInputException("no such message, only " + messages.size() + " messages in maildrop");
        }
        if (deleted.get(n)) {
            throw new BadInputException("message " + n + " already deleted");
        }
        return n;
    }

    public MessageInfo messageAt(int number) {
        return messages.get(number - 1);
    }

    public void markDeleted(int number) {
        if (!deleted.get(number)) {
            deleted.set(number);
            markedOctets += messages.get(number - 1).size();
        }
    }

    public void resetDeleted() {
        deleted.clear();
        markedOctets = 0;
        highestRetrieved = 0;
    }

    public void retrieved(int number) {
        MessageInfo m = messages.get(number - 1);
        retrieved.add(m.uid());
        highestRetrieved = Math.max(highestRetrieved, number);
        retrievedMessages++;
        retrievedBytes += m.size();
        context.metrics().messageRetrieved(PROTOCOL, m.size());
    }

    /** The highest message number retrieved (legacy LAST). */
    public int highestRetrieved() {
        return highestRetrieved;
    }

    /**
     * What to do when the heartbeat finds this session's maildrop lock taken over (called on the
     * heartbeat's thread): the transport ends the session at once, even an idle one.
     */
    public void onLockLost(Runnable action) {
        onLockLost = action;
    }

    /** Whether the session holds a maildrop whose lock the heartbeat found taken over. */
    public boolean leaseLost() {
        return lease != null && lease.lost();
    }

    /**
     * Ends the session's use of its maildrop with {@link LeaseLostException} when the heartbeat
     * found its lock taken over (after a lease that ran out while this node could not renew it).
     */
    public void requireLease() {
        if (leaseLost()) {
            throw new LeaseLostException("the maildrop lock was taken over");
        }
    }

    /**
     * QUIT in TRANSACTION: enters UPDATE and commits deletions (and retrieval marks for EXPIRE)
     * in one store transaction. Any exception means nothing changed.
     */
    public Pop3Reply update() {
        state = Pop3State.UPDATE;
        Set<Long> uids = new HashSet<>();
        long bytes = 0;
        for (int i = 1; i <= messages.size(); i++) {
            MessageInfo m = messages.get(i - 1);
            if (deleted.get(i) || expireOnRetrieval && retrieved.contains(m.uid())) {
                uids.add(m.uid());
                bytes += m.size();
            }
        }
        maildrop.commit(uids, retrieved);
        // Release the lock before the +OK goes out, so a client that reconnects at once finds it free.
        releaseMaildrop();
        deletedMessages = uids.size();
        deletedBytes = bytes;
        int left = messages.size() - uids.size();
        return Pop3Reply.ok("Mailwright POP3 server signing off (" + (left == 0 ? "maildrop empty"
                : left + " messages left") + ")");
    }

    private void releaseMaildrop() {
        readAhead.clear();
        if (maildrop != null) {
            context.leases().released(lease);
            lease = null;
            try {
                maildrop.close();
            } catch (StoreUnavailableException e) {
                SESSION_LOG.warn("{}: could not release the maildrop lock (it will expire): {}", id, e.getMessage());
            } catch (RuntimeException e) {
                SESSION_LOG.warn("{}: could not release the maildrop lock", id, e);
            }
            maildrop = null;
        }
    }

    /** How long the session has been running. */
    public Duration age() {
        return Duration.between(started, context.clock().instant());
    }

    /** How the session ended, for the log line. */
    public void ending(String how) {
        ending = how;
    }

    /** The connection is gone: release the lock without changing anything not committed, and log. */
    public void end(String reason) {
        releaseMaildrop();
        String how = ending != null ? ending : reason;
        Duration d = Duration.between(started, context.clock().instant());
        SESSION_LOG.info("pop3 session={} user={} ip={} retrieved={}/{}B deleted={}/{}B duration={}ms end={}",
                id, username == null ? "-" : username, client.getAddress().getHostAddress(), retrievedMessages,
                retrievedBytes, deletedMessages, deletedBytes, d.toMillis(), how);
    }
}
