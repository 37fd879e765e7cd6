package dev.mailwright.outbound;

import dev.mailwright.outbound.OutboundConfig.Smarthost;
import dev.mailwright.outbound.OutboundConfig.Timeouts;
import dev.mailwright.outbound.internal.CheckedTls;
import dev.mailwright.outbound.internal.Outcome;
import dev.mailwright.outbound.internal.PreparedMessage;
import dev.mailwright.outbound.internal.Reply;
import dev.mailwright.outbound.internal.SevenBitEncoder;
import dev.mailwright.outbound.internal.SmtpClient;
import dev.mailwright.outbound.mtasts.MtaStsPolicy;
import dev.mailwright.outbound.tlsrpt.TlsResults;
import dev.mailwright.store.Address;
import dev.mailwright.store.Envelope;
import dev.mailwright.store.QueueItem;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One message to the recipients of one destination: the hosts are tried in turn until one
 * gives an answer per recipient; one connection carries all of them. Opportunistic STARTTLS
 * to MX hosts (any certificate; a host whose TLS fails is retried in plain text), required TLS
 * and AUTH to a smarthost.
 *
 * <p>A connection whose transaction ended normally is kept open for a few seconds and used for
 * the next message to the same destination (RSET, then the next transaction), so several messages
 * due for one domain share a connection. Its caller counts it against the destination's
 * concurrency limit only while it carries mail: a connection is parked before its delivery gives
 * its permit back, and taken only by a delivery that holds one, so the open connections to a
 * destination never outnumber the limit.
 */
final class Transfer {

    private static final Logger LOG = LoggerFactory.getLogger(Transfer.class);

    /** Where to connect: a host and port, and the smarthost settings when it is one. */
    public record Target(String host, int port, Optional<Smarthost> smarthost) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    /** How long a connection may wait unused for the next message. */
    static final Duration IDLE_LIMIT = Duration.ofSeconds(5);
    /** How long one connection is used at most, and for how many transactions. */
    static final Duration REUSE_TIME_LIMIT = Duration.ofMinutes(5);
    static final int REUSE_COUNT_LIMIT = 100;

    /**
     * What transport security one message to one destination needs beyond opportunistic TLS.
     *
     * @param policy     the destination's MTA-STS policy, if it has one (mode enforce or testing)
     * @param requireTls the message was sent with REQUIRETLS (RFC 8689)
     */
    record Security(Optional<MtaStsPolicy> policy, boolean requireTls) {
        boolean enforce() {
            return policy.map(p -> p.mode() == MtaStsPolicy.Mode.ENFORCE).orElse(false);
        }

        /** TLS with a certificate valid for the MX name, no plain-text fallback (RFC 8689 4.2.1: testing counts as enforce). */
        boolean verified() {
            return requireTls || enforce();
        }

        /** Whether the policy allows this MX host (true without a policy). */
        boolean permits(String host) {
            return policy.map(p -> p.permits(host)).orElse(true);
        }

        /** A delivery refused for want of security: REQUIRETLS returns the message, MTA-STS retries. */
        Outcome refused(String reason, String peer) {
            return requireTls
                    ? Outcome.permanent("5.7.30", "REQUIRETLS: " + reason, peer)
                    : Outcome.temporary("4.7.5", "MTA-STS: " + reason, peer);
        }

        /** The same, before any host was reached. */
        Outcome refused(String reason) {
            return requireTls
                    ? Outcome.permanent("5.7.30", "REQUIRETLS: " + reason)
                    : Outcome.temporary("4.7.5", "MTA-STS: " + reason);
        }
    }

    private final OutboundConfig config;
    private final SSLContext anyCertificate;
    private final CheckedTls mxTls;
    private final TlsResults tlsResults;
    private final Consumer<SmtpClient> opened;
    private final Consumer<SmtpClient> closed;
    private final OutboundMetrics metrics;
    private final Map<String, Deque<Parked>> parked = new ConcurrentHashMap<>();
    private volatile boolean aborted;

    /** An open connection after a finished transaction, waiting for the next message to its destination. */
    private record Parked(SmtpClient client, Target target, Map<String, String> ext, long opened, long since,
                          int transactions, boolean verified) {
    }

    /** @param opened told of each connection (so a closing worker can cut it), {@code closed} when it ends */
    public Transfer(OutboundConfig config, SSLContext anyCertificate, CheckedTls mxTls, TlsResults tlsResults,
                    Consumer<SmtpClient> opened, Consumer<SmtpClient> closed, OutboundMetrics metrics) {
        this.config = config;
        this.anyCertificate = anyCertificate;
        this.mxTls = mxTls;
        this.tlsResults = tlsResults;
        this.opened = opened;
        this.closed = closed;
        this.metrics = metrics;
    }

    /** Stops trying further hosts (the worker is shutting down and cuts the open connections). */
    public void abort() {
        aborted = true;
        closeIdle(true);
    }

    /** Closes the parked connections that waited too long (or all of them): QUIT, then close. */
    public void closeIdle(boolean all) {
        long now = System.nanoTime();
        List<Parked> expired = new ArrayList<>();
        for (String destination : parked.keySet()) {
            // a destination without parked connections leaves the map, so it does not grow with every domain
            parked.computeIfPresent(destination, (d, q) -> {
                q.removeIf(p -> {
                    boolean old = all || now - p.since() >= IDLE_LIMIT.toNanos();
                    if (old) {
                        expired.add(p);
                    }
                    return old;
                });
                return q.isEmpty() ? null : q;
            });
        }
        expired.forEach(p -> finish(p.client(), true));
    }

    private Parked takeParked(String destination) {
        long now = System.nanoTime();
        while (true) {
            Parked[] taken = new Parked[1];
            parked.computeIfPresent(destination, (d, q) -> {
                taken[0] = q.pollLast(); // the most recently used: the least likely to have been timed out
                return q.isEmpty() ? null : q;
            });
            Parked p = taken[0];
            if (p == null) {
                return null;
            }
            if (now - p.since() < IDLE_LIMIT.toNanos()) {
                return p;
            }
            finish(p.client(), true);
        }
    }

    private void finish(SmtpClient client, boolean quit) {
        if (quit) {
            try {
                client.send("QUIT");
                client.read(Duration.ofSeconds(2));
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        client.close();
        closed.accept(client);
    }

    /**
     * Delivers to the first target that answers, over a parked connection to {@code destination}
     * if there is one; returns an outcome per item id. The caller must hold the destination's
     * concurrency permit.
     */
    public Map<Long, Outcome> deliver(String destination, List<Target> targets, PreparedMessage message,
                                      Envelope envelope, List<QueueItem> items, Security security) {
        if (security.verified()) {
            if (targets.stream().anyMatch(t -> t.smarthost().isPresent())) {
                if (security.requireTls()) {
                    // RFC 8689 4.2.1 applies to the next hop: ours must prove itself as an MX would
                    return all(items, Outcome.permanent("5.7.30", "REQUIRETLS: mail to " + destination
                            + " goes through a smarthost, which cannot be verified as its MX"));
                }
            } else {
                List<Target> allowed = targets.stream().filter(t -> security.permits(t.host())).toList();
                if (security.requireTls() && security.policy().isEmpty()) {
                    // no DNSSEC here: without an MTA-STS policy nothing vouches for the MX names
                    return all(items, Outcome.permanent("5.7.30", "REQUIRETLS: " + destination
                            + " publishes no MTA-STS policy, so its MX hosts cannot be authenticated"));
                }
                if (allowed.isEmpty()) {
                    targets.forEach(t -> tlsResults.record(TlsResults.Result.failure(destination, security.policy(),
                            "validation-failure", Optional.of(t.host()), "MX host not in the MTA-STS policy")));
                    return all(items, security.refused("no MX host of " + destination + " matches its policy "
                            + security.policy().get().mx()));
                }
                targets = allowed;
            }
        } else if (security.policy().isPresent()) {
            for (Target t : targets) {
                if (!security.permits(t.host())) {
                    LOG.warn("MTA-STS (testing): MX {} of {} is not in its policy {}", t.host(), destination,
                            security.policy().get().mx());
                }
            }
        }
        Parked p;
        while (!aborted && (p = takeParked(destination)) != null) {
            if (security.verified() && !(p.verified() && security.permits(p.target().host())
                    && (!security.requireTls() || p.ext().containsKey("REQUIRETLS")))) {
                finish(p.client(), true); // opened for mail that needed less; this message does not go over it
                continue;
            }
            Session reused = new Session(destination, p.target(), null, p.client().isTls(), security);
            Result r = reused.again(p, message, envelope, items);
            if (r != null && r.outcomes != null) {
                return r.outcomes;
            }
            if (r != null) {
                break; // the host deferred the transaction (e.g. 4xx to MAIL): the hosts in turn, as for a new one
            }
            // the parked connection had gone stale before this transaction began: another, or a new one
        }
        Outcome last = Outcome.temporary("4.4.1", "no host to try");
        for (Target target : targets) {
            if (aborted) {
                last = Outcome.temporary("4.3.2", "delivery interrupted by shutdown");
                break;
            }
            InetAddress[] addresses;
            try {
                addresses = InetAddress.getAllByName(target.host());
            } catch (UnknownHostException e) {
                last = Outcome.temporary("4.4.4", "cannot find the address of " + target.host());
                continue;
            }
            for (InetAddress address : addresses) {
                if (aborted) {
                    break;
                }
                boolean tls = true;
                for (int attempt = 0; attempt < 2; attempt++) {
                    Session session = new Session(destination, target, new InetSocketAddress(address, target.port()),
                            tls, security);
                    Result r = session.run(message, envelope, items);
                    if (r.outcomes != null) {
                        return r.outcomes;
                    }
                    last = r.failure;
                    if (!(r.tlsFailed && target.smarthost().isEmpty() && !security.verified())) {
                        break;
                    }
                    tls = false; // opportunistic TLS failed: the same host in plain text
                }
            }
        }
        Map<Long, Outcome> all = new LinkedHashMap<>();
        for (QueueItem i : items) {
            all.put(i.id(), last);
        }
        return all;
    }

    /** Either an outcome per item (done), or a failure that lets the next host try. */
    private record Result(Map<Long, Outcome> outcomes, Outcome failure, boolean tlsFailed) {
        static Result done(Map<Long, Outcome> outcomes) {
            return new Result(outcomes, null, false);
        }

        static Result next(Outcome failure) {
            return new Result(null, failure, false);
        }
    }

    private final class Session {
        private final String destination;
        private final Target target;
        private final InetSocketAddress address;
        private final boolean tryTls;
        private final Security security;
        /** TLS with a certificate valid for the MX name. */
        private boolean verified;
        private final Timeouts t = config.timeouts();
        private String peer;
        private boolean dataStarted;
        private boolean inTls;
        private Map<String, String> ext = Map.of();
        /** The transaction ended normally: the connection may carry the next message. */
        private boolean reusable;

        Session(String destination, Target target, InetSocketAddress address, boolean tryTls, Security security) {
            this.destination = destination;
            this.security = security;
            this.target = target;
            this.address = address;
            this.tryTls = tryTls;
            this.peer = address == null ? target.host() : target.host() + " [" + address.getAddress().getHostAddress() + "]";
        }

        /**
         * The next transaction on a parked connection: RSET, then as on a new one. Null when the
         * connection turned out to be gone before anything of this message was sent (the caller
         * opens a new one); a failure after that counts like one on a new connection.
         */
        Result again(Parked p, PreparedMessage message, Envelope envelope, List<QueueItem> items) {
            SmtpClient client = p.client();
            peer = client.peer();
            inTls = client.isTls();
            verified = p.verified();
            ext = p.ext();
            boolean keep = false;
            try {
                try {
                    client.send("RSET");
                    Reply r = client.read(t.mail());
                    if (r.code() != 250) {
                        return null;
                    }
                } catch (IOException e) {
                    LOG.debug("parked connection to {} is gone: {}", peer, e.getMessage());
                    return null;
                }
                metrics.connectionReused();
                Result r;
                try {
                    r = transaction(client, message, envelope, items);
                } catch (IOException e) {
                    LOG.info("delivery to {} failed: {}", peer, e.getMessage());
                    r = Result.done(all(items, Outcome.temporary("4.4.2", "lost connection: " + e.getMessage(), peer)));
                    reusable = false;
                }
                keep = reusable;
                return r;
            } finally {
                if (keep) {
                    park(client, p.opened(), p.transactions() + 1);
                } else {
                    finish(client, false);
                }
            }
        }

        Result run(PreparedMessage message, Envelope envelope, List<QueueItem> items) {
            Optional<Smarthost> smart = target.smarthost();
            boolean implicit = smart.isPresent() && smart.get().tls() == OutboundConfig.TlsMode.IMPLICIT;
            SmtpClient client = null;
            try {
                client = SmtpClient.connect(address, target.host(), t.connect(),
                        implicit ? context(smart.get()) : null, implicit && smart.get().verifyCertificate());
                opened.accept(client);
                peer = client.peer();
                inTls = client.isTls();
                return converse(client, message, envelope, items);
            } catch (SSLException e) {
                LOG.info("TLS with {} failed: {}", peer, e.getMessage());
                if (smart.isEmpty()) {
                    report("validation-failure", "TLS handshake failed: " + e.getMessage());
                }
                if (security.verified() && smart.isEmpty()) {
                    return Result.next(security.refused("TLS with " + peer + " failed: " + e.getMessage(), peer));
                }
                return new Result(null, Outcome.temporary("4.7.0", "TLS failed: " + e.getMessage(), peer), true);
            } catch (IOException e) {
                LOG.info("delivery to {} failed: {}", peer, e.getMessage());
                Outcome failure = Outcome.temporary("4.4.2", "lost connection: " + e.getMessage(), peer);
                if (inTls && !dataStarted && e.getCause() instanceof SSLException) {
                    if (smart.isEmpty()) {
                        report("validation-failure", "TLS failed: " + e.getMessage());
                    }
                    return security.verified() && smart.isEmpty() ? Result.next(failure) : new Result(null, failure, true);
                }
                if (dataStarted) {
                    return Result.done(all(items, failure));
                }
                return Result.next(failure);
            } finally {
                if (client != null) {
                    if (reusable) {
                        park(client, System.nanoTime(), 1);
                    } else {
                        finish(client, false);
                    }
                }
            }
        }

        private void park(SmtpClient client, long openedAt, int transactions) {
            long now = System.nanoTime();
            if (aborted || transactions >= REUSE_COUNT_LIMIT || now - openedAt >= REUSE_TIME_LIMIT.toNanos()) {
                finish(client, true);
                return;
            }
            Parked p = new Parked(client, target, ext, openedAt, now, transactions, verified);
            parked.compute(destination, (d, q) -> {
                Deque<Parked> waiting = q == null ? new ArrayDeque<>() : q;
                waiting.addLast(p);
                return waiting;
            });
            if (aborted) {
                closeIdle(true);
            }
        }

        private Result converse(SmtpClient c, PreparedMessage message, Envelope envelope, List<QueueItem> items)
                throws IOException {
            Reply greeting = c.read(t.greeting());
            if (greeting.code() != 220) {
                return Result.next(Outcome.of(greeting, peer));
            }
            Reply ehlo = ehlo(c);
            if (ehlo == null) {
                return Result.next(Outcome.temporary("4.5.0", "refused EHLO and HELO", peer));
            }
            ext = ehlo.code() == 250 && ehlo.lines().size() >= 1 ? SmtpClient.extensions(ehlo) : Map.of();
            Optional<Smarthost> smart = target.smarthost();
            if (smart.isPresent() && smart.get().tls() == OutboundConfig.TlsMode.STARTTLS || (smart.isEmpty() && tryTls
                    && ext.containsKey("STARTTLS"))) {
                if (!ext.containsKey("STARTTLS")) {
                    return Result.next(Outcome.temporary("4.7.10", "smarthost does not offer STARTTLS", peer));
                }
                c.send("STARTTLS");
                Reply r = c.read(t.mail());
                if (r.code() != 220) {
                    if (smart.isPresent()) {
                        return Result.next(Outcome.of(r, peer));
                    }
                    report("starttls-not-supported", "STARTTLS refused: " + r);
                    if (security.verified()) {
                        quit(c);
                        return Result.next(security.refused(peer + " refused STARTTLS: " + r, peer));
                    }
                    return new Result(null, Outcome.of(r, peer), true);
                }
                inTls = true;
                if (smart.isPresent()) {
                    c.upgradeToTls(context(smart.get()), target.host(), smart.get().verifyCertificate(), t.mail());
                } else {
                    // any certificate goes through the handshake; whether it is valid for the MX name is noted
                    c.upgradeToTls(mxTls.context(), target.host(), true, t.mail());
                    Optional<CheckedTls.Problem> problem = c.certificateProblem();
                    verified = problem.isEmpty() && security.permits(target.host());
                    if (problem.isPresent()) {
                        report(problem.get().resultType(), problem.get().detail());
                        if (security.verified()) {
                            quit(c);
                            return Result.next(security.refused("certificate of " + peer + " is not valid for "
                                    + target.host() + ": " + problem.get().detail(), peer));
                        }
                        if (security.policy().isPresent()) {
                            LOG.warn("MTA-STS (testing): certificate of {} is not valid: {}", peer,
                                    problem.get().detail());
                        }
                    } else if (security.permits(target.host())) {
                        tlsResults.record(TlsResults.Result.success(destination, security.policy(), target.host()));
                    } else {
                        report("validation-failure", "MX host not in the MTA-STS policy");
                    }
                }
                ehlo = ehlo(c);
                if (ehlo == null) {
                    return Result.next(Outcome.temporary("4.5.0", "refused EHLO after STARTTLS", peer));
                }
                ext = SmtpClient.extensions(ehlo);
            } else if (smart.isEmpty()) {
                report("starttls-not-supported", tryTls ? "STARTTLS not offered" : "plain text after a failed TLS attempt");
                if (security.verified()) {
                    quit(c);
                    return Result.next(security.refused(peer + " does not offer STARTTLS", peer));
                }
            }
            if (security.requireTls() && smart.isEmpty() && !ext.containsKey("REQUIRETLS")) {
                quit(c);
                return Result.next(security.refused(peer + " does not support REQUIRETLS", peer));
            }
            if (smart.isPresent() && smart.get().username().isPresent()) {
                Outcome authFailure = authenticate(c, smart.get(), ext);
                if (authFailure != null) {
                    return Result.next(authFailure);
                }
            }
            metrics.connected(c.isTls());
            return transaction(c, message, envelope, items);
        }

        /** One mail transaction (MAIL, RCPT, DATA) on a connection that is ready for it. */
        private Result transaction(SmtpClient c, PreparedMessage message, Envelope envelope, List<QueueItem> items)
                throws IOException {
            // what the message really needs; a submitter's SMTPUTF8 on an all-ASCII message is not a reason to fail
            boolean needsUtf8 = message.utf8Header()
                    || envelope.reversePath().map(Address::isInternational).orElse(false)
                    || items.stream().anyMatch(i -> i.recipient().address().isInternational());
            if (needsUtf8 && !ext.containsKey("SMTPUTF8")) {
                quit(c);
                return Result.done(all(items, Outcome.permanent("5.6.7", "the message needs SMTPUTF8 (RFC 6531) and "
                        + peer + " does not support it", peer)));
            }
            if (message.eightBit() && !ext.containsKey("8BITMIME")) {
                // RFC 6152 3: no 8-bit data to a server without 8BITMIME; convert as Postfix does
                try {
                    message = message.sevenBit();
                } catch (SevenBitEncoder.TooLongException e) {
                    quit(c);
                    return Result.done(all(items, Outcome.permanent("5.6.3", "the message has 8-bit data, "
                            + peer + " does not support 8BITMIME, and it cannot be converted: " + e.getMessage(), peer)));
                }
            }
            String size = ext.get("SIZE");
            if (size != null && !size.isEmpty()) {
                try {
                    long max = Long.parseLong(size.trim());
                    if (max > 0 && message.size() > max) {
                        quit(c);
                        return Result.done(all(items, Outcome.permanent("5.3.4", "message of " + message.size()
                                + " octets is larger than the " + max + " that " + peer + " accepts", peer)));
                    }
                } catch (NumberFormatException ignored) {
                    // a SIZE we cannot read: send and let the server decide
                }
            }
            boolean dsn = ext.containsKey("DSN");
            StringBuilder mail = new StringBuilder("MAIL FROM:<")
                    .append(envelope.reversePath().map(Address::toString).orElse("")).append('>');
            if (ext.containsKey("SIZE")) {
                mail.append(" SIZE=").append(message.size());
            }
            if (message.eightBit() && ext.containsKey("8BITMIME")) {
                mail.append(" BODY=8BITMIME");
            }
            if ((needsUtf8 || envelope.smtpUtf8()) && ext.containsKey("SMTPUTF8")) {
                mail.append(" SMTPUTF8");
            }
            if (security.requireTls()) {
                mail.append(" REQUIRETLS");
            }
            if (dsn) {
                envelope.ret().ifPresent(r -> mail.append(" RET=").append(r));
                envelope.envId().ifPresent(e -> mail.append(" ENVID=").append(xtext(e)));
            }
            boolean pipelining = ext.containsKey("PIPELINING");
            Map<Long, Outcome> outcomes = new LinkedHashMap<>();
            if (pipelining) {
                c.write(mail.toString());
                for (QueueItem i : items) {
                    c.write(rcpt(i, dsn));
                }
                c.write("DATA");
                c.flush();
                Reply mailReply = c.read(t.mail());
                for (QueueItem i : items) {
                    Reply r = c.read(t.rcpt());
                    outcomes.put(i.id(), mailReply.isPositive() ? Outcome.of(r, peer) : Outcome.of(mailReply, peer));
                }
                Reply data = c.read(t.dataInit());
                if (!mailReply.isPositive()) {
                    quit(c);
                    return mailFailed(mailReply, items);
                }
                return finishData(c, data, message, items, outcomes, dsn);
            }
            c.send(mail.toString());
            Reply mailReply = c.read(t.mail());
            if (!mailReply.isPositive()) {
                quit(c);
                return mailFailed(mailReply, items);
            }
            boolean any = false;
            for (QueueItem i : items) {
                c.send(rcpt(i, dsn));
                Reply r = c.read(t.rcpt());
                outcomes.put(i.id(), Outcome.of(r, peer));
                any |= r.isPositive();
            }
            if (!any) {
                reusable = true; // a transaction refused in full leaves the connection fit for the next one
                return Result.done(outcomes);
            }
            c.send("DATA");
            return finishData(c, c.read(t.dataInit()), message, items, outcomes, dsn);
        }

        private Result mailFailed(Reply mailReply, List<QueueItem> items) {
            Outcome o = Outcome.of(mailReply, peer);
            return mailReply.isTemporary() ? Result.next(o) : Result.done(all(items, o));
        }

        private Result finishData(SmtpClient c, Reply data, PreparedMessage message, List<QueueItem> items,
                                  Map<Long, Outcome> outcomes, boolean dsn) throws IOException {
            List<QueueItem> accepted = items.stream()
                    .filter(i -> outcomes.get(i.id()).kind() == Outcome.Kind.DELIVERED).toList();
            if (accepted.isEmpty()) {
                if (data.code() == 354) { // a server that said yes to DATA with no recipient: end it empty
                    c.send(".");
                    c.read(t.dataTermination());
                }
                reusable = data.code() != 421;
                return Result.done(outcomes);
            }
            if (data.code() != 354) {
                accepted.forEach(i -> outcomes.put(i.id(), Outcome.of(data, peer)));
                reusable = data.code() != 421;
                return Result.done(outcomes);
            }
            dataStarted = true;
            try (InputStream in = message.open()) {
                c.sendData(in, t.dataBlock());
            }
            Reply end = c.read(t.dataTermination());
            Outcome result = dsn ? Outcome.of(end, peer).withDsnPassedOn() : Outcome.of(end, peer);
            accepted.forEach(i -> outcomes.put(i.id(), result));
            reusable = end.code() != 421; // no QUIT: the connection may carry the next message
            return Result.done(outcomes);
        }

        /** A TLS failure with an MX, for TLS-RPT (when the plain-text retry already reported it, not twice). */
        private void report(String type, String detail) {
            if (tryTls) {
                tlsResults.record(TlsResults.Result.failure(destination, security.policy(), type,
                        Optional.of(target.host()), Reply.sanitize(detail)));
            }
        }

        private Reply ehlo(SmtpClient c) throws IOException {
            c.send("EHLO " + config.hostname());
            Reply r = c.read(t.mail());
            if (r.code() == 250) {
                return r;
            }
            c.send("HELO " + config.hostname());
            r = c.read(t.mail());
            return r.code() == 250 ? new Reply(250, List.of(r.lines().isEmpty() ? "" : r.lines().get(0))) : null;
        }

        /** AUTH PLAIN, else LOGIN (RFC 4954); null when it worked. */
        private Outcome authenticate(SmtpClient c, Smarthost smart, Map<String, String> ext) throws IOException {
            Set<String> mechanisms = Set.copyOf(Arrays.asList(
                    ext.getOrDefault("AUTH", "").toUpperCase(Locale.ROOT).split("\\s+")));
            String user = smart.username().orElseThrow();
            String pass = smart.password().orElseThrow();
            Reply r;
            if (mechanisms.contains("PLAIN")) {
                c.send("AUTH PLAIN " + SmtpClient.base64("\0" + user + "\0" + pass));
                r = c.read(t.mail());
            } else if (mechanisms.contains("LOGIN")) {
                c.send("AUTH LOGIN");
                r = c.read(t.mail());
                if (r.code() == 334) {
                    c.send(SmtpClient.base64(user));
                    r = c.read(t.mail());
                    if (r.code() == 334) {
                        c.send(SmtpClient.base64(pass));
                        r = c.read(t.mail());
                    }
                }
            } else {
                return Outcome.temporary("4.7.0", "smarthost offers neither AUTH PLAIN nor LOGIN", peer);
            }
            if (r.code() == 235) {
                return null;
            }
            return Outcome.temporary("4.7.0", "smarthost refused our credentials: " + r, peer);
        }

        private void quit(SmtpClient c) {
            try {
                c.send("QUIT");
                c.read(java.time.Duration.ofSeconds(5));
            } catch (IOException ignored) {
                // the transaction is over either way
            }
        }
    }

    private static String rcpt(QueueItem item, boolean dsn) {
        StringBuilder sb = new StringBuilder("RCPT TO:<").append(item.recipient().address()).append('>');
        if (dsn) {
            if (!item.recipient().notifyOn().isEmpty()) {
                sb.append(" NOTIFY=").append(String.join(",", item.recipient().notifyOn().stream().sorted().toList()));
            }
            item.recipient().orcpt().ifPresent(o -> {
                int semi = o.indexOf(';');
                String type = semi < 0 ? "rfc822" : o.substring(0, semi);
                String addr = semi < 0 ? o : o.substring(semi + 1);
                sb.append(" ORCPT=").append(type).append(';').append(xtext(addr));
            });
        }
        return sb.toString();
    }

    /** RFC 3461 4: xtext encoding. */
    static String xtext(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 33 && c <= 126 && c != '+' && c != '=') {
                sb.append((char) c);
            } else {
                sb.append('+').append(String.format("%02X", c));
            }
        }
        return sb.toString();
    }

    private static Map<Long, Outcome> all(List<QueueItem> items, Outcome o) {
        Map<Long, Outcome> m = new LinkedHashMap<>();
        items.forEach(i -> m.put(i.id(), o));
        return m;
    }

    private SSLContext context(Smarthost smart) {
        if (!smart.verifyCertificate()) {
            return anyCertificate;
        }
        try {
            return SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
