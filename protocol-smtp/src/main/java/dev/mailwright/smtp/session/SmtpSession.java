package dev.mailwright.smtp.session;

import dev.mailwright.protocol.codec.Line;
import dev.mailwright.protocol.fault.FaultHook;
import dev.mailwright.protocol.fault.FaultPoint;
import dev.mailwright.protocol.codec.LineDecoder;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.session.Connection;
import dev.mailwright.protocol.session.ProtocolSession;
import dev.mailwright.protocol.session.TraceRedaction;
import dev.mailwright.smtp.api.MailFrom;
import dev.mailwright.smtp.api.RcptTo;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpResponse;
import dev.mailwright.smtp.api.SmtpSettings;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection above protocol-core's transport: its state (what is known of the
 * {@link Client}, the {@link Transaction}, where the dialogue is in a {@link Phase}) and the
 * routing of its input.
 * Command lines go to the {@link SmtpDispatcher}, message content to the {@link MessageReceiver}.
 * Single-threaded: the transport calls it on one ordered executor per connection, or on the I/O
 * thread for what {@link #receivedWithoutBlocking} takes.
 */
public final class SmtpSession implements ProtocolSession {

    /** The protocol name metrics are reported under. */
    public static final String PROTOCOL = "smtp";

    private static final Logger LOG = LoggerFactory.getLogger(SmtpSession.class);

    private final SmtpSettings settings;
    private final SmtpDispatcher dispatcher;
    /** What the protocol trace shows of this connection's lines: never a credential. */
    private final TraceRedaction trace;
    private final SmtpPolicy policy;
    private final MessageSink.Factory sinks;
    private final Authenticator authenticator;
    private final ProtocolMetrics metrics;
    private final MessageReceiver receiver;
    private final LineDecoder lines;
    private final Client client = Client.withRandomId();
    private final String id = client.sessionId();
    private final long startedNanos = System.nanoTime();
    private Connection connection;

    private Phase phase = Phase.CONNECTED;
    private boolean draining;
    private int badCommands;
    /** NOOP, RSET, VRFY, EXPN and HELP since the last message accepted ({@link SmtpSettings#maxJunkCommands()}). */
    private int junkCommands;
    private int transactions;
    private final List<String> results = new ArrayList<>();
    private Transaction transaction;
    private AuthExchange auth;
    /** A reply is held ({@link #hold}): no further input is taken until it is out. */
    private boolean holding;
    private boolean tlsOnNextReply;
    private Runnable afterReply;
    private final FaultHook faults;

    public SmtpSession(SmtpSettings settings, SmtpDispatcher dispatcher, SmtpPolicy policy,
                       MessageSink.Factory sinks, Authenticator authenticator, Clock clock, ProtocolMetrics metrics) {
        this(settings, dispatcher, policy, sinks, authenticator, clock, metrics, FaultHook.NONE);
    }

    /** @param faults faults to inject (tests only; {@link FaultHook#NONE} otherwise) */
    public SmtpSession(SmtpSettings settings, SmtpDispatcher dispatcher, SmtpPolicy policy,
                       MessageSink.Factory sinks, Authenticator authenticator, Clock clock, ProtocolMetrics metrics,
                       FaultHook faults) {
        this.faults = faults;
        this.settings = settings;
        this.dispatcher = dispatcher;
        this.trace = new TraceRedaction(dispatcher.verbs(), Map.of("AUTH", 2));
        this.policy = policy;
        this.sinks = sinks;
        this.authenticator = authenticator;
        this.metrics = metrics;
        this.receiver = new MessageReceiver(this, clock);
        // a command line is at most maxCommandLine octets before its LF
        this.lines = new LineDecoder(settings.maxCommandLine() + 1,
                settings.bareLineEnds() == SmtpSettings.BareLineEnds.NORMALIZE, settings.deadlines().commandLine());
    }

    /** The connection is open (and, for implicit TLS, encrypted): asks the connect hooks, then greets. */
    @Override
    public void started(Connection c) {
        connection = c;
        client.connected(c);
        metrics.connectionOpened(PROTOCOL);
        if (!faulted(FaultHook.CONNECT, "", this::greet)) {
            greet();
        }
    }

    private void greet() {
        PolicyResult verdict = ask(() -> policy.connect(client));
        if (verdict.refuses()) {
            LOG.info("smtp {} refused at connect from {}: {}", id, client.clientAddress(), verdict.reply());
            SmtpReply reply = verdict.reply();
            send(reply.isTransient() && reply.code() != 421 ? SmtpReply.of(421, reply.enhanced(), reply.lines().get(0)) : reply);
            close();
            return;
        }
        send(SmtpReply.of(220, null, settings.hostname() + " ESMTP Mailwright"));
    }

    @Override
    public void received(ByteBuffer input) {
        consume(input, false);
    }

    /** Takes command lines answered without blocking, up to anything else (content, SASL, a blocking command). */
    @Override
    public void receivedWithoutBlocking(ByteBuffer input) {
        consume(input, true);
    }

    private void consume(ByteBuffer input, boolean withoutBlocking) {
        ByteBuffer in = input.hasArray() ? input : ByteBuffer.allocate(input.remaining()).put(input.duplicate()).flip();
        try {
            while (in.hasRemaining() && phase != Phase.STARTING_TLS && !holding) { // after STARTTLS the transport drops the rest
                if (phase == Phase.CLOSED) {
                    in.position(in.limit());
                } else if (receiver.receiving()) {
                    if (withoutBlocking) {
                        break;
                    }
                    receiver.receive(in);
                } else {
                    if (connection.outputBacklogged()) {
                        break; // the client reads its replies slower than it sends commands (ADR 0034)
                    }
                    if (withoutBlocking) {
                        Line next = lines.peek(in);
                        if (next == null || !dispatcher.runsWithoutBlocking(this, next)) {
                            break;
                        }
                    }
                    Line line = lines.next(in);
                    if (line == null) {
                        break;
                    }
                    dispatcher.line(this, line);
                }
            }
        } catch (RuntimeException e) {
            LOG.error("smtp {} failed", id, e);
            send(SmtpReply.of(421, "4.3.0", "Temporary local problem, closing transmission channel"));
            close();
            in.position(in.limit());
        }
        if (in != input) {
            input.position(input.position() + in.position());
        }
    }

    /** No connect hook may block. */
    @Override
    public boolean startsWithoutBlocking() {
        return !policy.mayBlock(SmtpPolicy.Stage.CONNECT, client);
    }

    /**
     * Injects the fault the hook names for {@code stage}, if any; true when it took the stage over
     * ({@code proceed} then runs after a delay, or never). A reply in place of a stage leaves the
     * session's state as it was, like any refusal.
     */
    boolean faulted(String stage, String argument, Runnable proceed) {
        return faulted(stage, argument, connection::writeLine, proceed);
    }

    /** The same, with the fault's reply line sent by {@code send}. */
    boolean faulted(String stage, String argument, Consumer<String> send, Runnable proceed) {
        if (faults == FaultHook.NONE) {
            return false;
        }
        FaultPoint.Outcome outcome = FaultPoint.intercept(faults, stage, argument, connection, send,
                this::close, () -> {
                    holding = false;
                    proceed.run();
                });
        holding = outcome == FaultPoint.Outcome.DELAYED;
        return outcome != FaultPoint.Outcome.PROCEED;
    }

    /** Whether faults are injected: then every command runs on the session's executor. */
    boolean injectsFaults() {
        return faults != FaultHook.NONE;
    }

    /** No transaction, or one whose sink drops without blocking. */
    @Override
    public boolean endsWithoutBlocking() {
        return transaction == null || sinks.opensWithoutBlocking();
    }

    /** The TLS handshake after STARTTLS completed: the session starts over, except for TLS. */
    @Override
    public void tlsStarted() {
        if (phase == Phase.STARTING_TLS) {
            client.secured();
            phase = Phase.CONNECTED;
            lines.clear();
        }
    }

    /** The server is stopping: {@code 421} now, or after the transaction in progress (dropped when the grace is over). */
    @Override
    public void stopping(Connection c, boolean graceOver) {
        if (phase == Phase.CLOSED) {
            return;
        }
        draining = true;
        if (graceOver && transaction != null) {
            LOG.info("smtp {} transaction {} dropped: server shutting down", id, transaction.id());
            results.add(transaction.id() + " dropped at shutdown in " + phase);
            metrics.messageRejected(PROTOCOL, "shutdown");
        }
        if (graceOver || transaction == null) {
            send(SmtpReply.SERVICE_UNAVAILABLE);
            close();
        }
    }

    /** The client was silent for too long. */
    @Override
    public void idle() {
        timedOut("idle");
    }

    /** An MX client sent no MAIL FROM, or a submission client did not log in, within the deadline. */
    @Override
    public void preAuthTimedOut() {
        timedOut("pre-auth");
    }

    /** The client was too slow ({@code deadline} as {@link ProtocolMetrics#timedOut} names it): {@code 421 4.4.2} and close. */
    void timedOut(String deadline) {
        if (phase != Phase.CLOSED) {
            LOG.info("smtp {} timed out ({}) in {}", id, deadline, phase);
            metrics.timedOut(PROTOCOL, deadline);
            if (transaction != null) {
                metrics.messageRejected(PROTOCOL, "timeout");
                results.add(transaction.id() + " dropped: " + deadline + " timeout in " + phase);
            }
            send(SmtpReply.TIMEOUT);
            close();
        }
    }

    /** The client took its replies too slowly: the transport cut the connection; {@link #ended} follows. */
    @Override
    public void outputTooSlow() {
        LOG.info("smtp {} timed out (send-rate) in {}", id, phase);
        metrics.timedOut(PROTOCOL, "send-rate");
        if (transaction != null) {
            results.add(transaction.id() + " dropped: send-rate timeout in " + phase);
        }
    }

    /** The connection is gone: an open transaction is dropped, the session log line written. */
    @Override
    public void ended(EndReason reason) {
        metrics.connectionClosed(PROTOCOL, Duration.ofNanos(System.nanoTime() - startedNanos));
        if (transaction != null) {
            metrics.messageRejected(PROTOCOL, "disconnected");
            transaction.abort();
            results.add(transaction.id() + " aborted by disconnect in " + phase);
            transaction = null;
        }
        phase = Phase.CLOSED;
        LOG.info("smtp {} closed: client={} helo={} tls={} user={} messages=[{}]", id, client.clientAddress(),
                client.heloName().orElse(null), client.tlsProtocol().orElse("no"),
                client.authenticatedUser().orElse(null), String.join("; ", results));
    }

    public SmtpSettings settings() {
        return settings;
    }

    public Phase phase() {
        return phase;
    }

    /** What is known of the client; what policies and handlers see. */
    public Client client() {
        return client;
    }

    public SmtpPolicy policy() {
        return policy;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    public Optional<Transaction> transaction() {
        return Optional.ofNullable(transaction);
    }

    public MessageReceiver receiver() {
        return receiver;
    }

    /** Whether opening and dropping this listener's message sinks never blocks. */
    public boolean sinksOpenWithoutBlocking() {
        return sinks.opensWithoutBlocking();
    }

    /** Asks a hook; a failing hook is a temporary failure, never an accept. */
    public PolicyResult ask(Supplier<PolicyResult> hook) {
        return SmtpDispatcher.ask(this, hook);
    }

    /** HELO/EHLO succeeded: any transaction is dropped. */
    public void greeted(String name, boolean ehlo) {
        resetTransaction();
        client.greeted(name, ehlo);
        phase = Phase.READY;
    }

    /** MAIL FROM: opens the sink and the transaction. */
    public void beginTransaction(MailFrom from) {
        MessageSink sink = sinks.open(client, from);
        connection.preAuthEnded(); // an MX has no login: its first transaction ends the pre-authentication phase
        transactions++;
        transaction = new Transaction(id + "." + transactions, from, sink);
        phase = Phase.MAIL;
    }

    /** RCPT TO accepted by policy: the sink takes it, then the transaction counts it. */
    public void addRecipient(RcptTo rcpt) {
        transaction.sink().recipient(rcpt);
        transaction.addRecipient(rcpt);
        if (phase == Phase.MAIL) {
            phase = Phase.RCPT;
        }
    }

    /** RSET and friends. */
    public void resetTransaction() {
        if (transaction != null) {
            transaction.abort();
            transaction = null;
        }
        receiver.reset();
        if (phase == Phase.MAIL || phase == Phase.RCPT || phase == Phase.BDAT) {
            phase = Phase.READY;
        }
    }

    /** STARTTLS was accepted: after the reply, TLS; the transport drops plaintext until then. */
    public void startTls() {
        resetTransaction();
        phase = Phase.STARTING_TLS;
        tlsOnNextReply = true;
    }

    /** The AUTH exchange under way, if any. */
    public Optional<AuthExchange> auth() {
        return Optional.ofNullable(auth);
    }

    /** An AUTH exchange waits for the client's next line ({@link Phase#AUTH}), or ended (null). */
    public void auth(AuthExchange exchange) {
        auth = exchange;
        phase = exchange != null ? Phase.AUTH : Phase.READY;
    }

    /** Sends {@code reply} after {@code delay} (at once when zero); no input is read meanwhile. */
    public SmtpResponse hold(Duration delay, SmtpReply reply) {
        if (delay.isZero()) {
            return reply;
        }
        holding = true;
        connection.after(delay, () -> {
            holding = false;
            send(reply);
        });
        return SmtpResponse.Deferred.HELD;
    }

    /** An AUTH ended: as {@code username}, or failed or refused (null); returns the failures on this connection. */
    public int authenticated(String username) {
        metrics.authentication(PROTOCOL, username != null);
        if (username == null) {
            return client.countAuthFailure();
        }
        client.authenticated(username);
        connection.preAuthEnded();
        LOG.info("smtp {} authenticated as {}", id, username);
        return 0;
    }

    /** Closes the connection after the reply. */
    public void closeAfterReply() {
        resetTransaction();
        phase = Phase.CLOSED;
        afterReply = () -> connection.close();
    }

    TraceRedaction trace() {
        return trace;
    }

    ProtocolMetrics metrics() {
        return metrics;
    }

    boolean draining() {
        return draining;
    }

    void phase(Phase next) {
        phase = next;
    }

    int countBadCommand() {
        return ++badCommands;
    }

    int countJunkCommand() {
        return ++junkCommands;
    }

    Transaction openTransaction() {
        return transaction;
    }

    /** The transaction ends with {@code reply} (sent now); a stopping server closes after it. */
    void transactionEnded(String summary, SmtpReply reply) {
        results.add(summary);
        LOG.info("smtp {} message {}", id, summary);
        if (transaction != null) {
            transaction.release();
        }
        transaction = null;
        phase = Phase.READY;
        if (reply.isPositive()) {
            junkCommands = 0; // mail was accepted: the client is doing what it came for
        }
        send(reply);
        if (reply.code() == 421) {
            close(); // RFC 5321 3.8: a 421 closes the connection, whoever said it
        } else if (draining) {
            send(SmtpReply.SERVICE_UNAVAILABLE);
            close();
        }
    }

    void send(SmtpReply reply) {
        if (SmtpDispatcher.TRACE.isDebugEnabled()) {
            SmtpDispatcher.TRACE.debug("smtp {} S: {}", id, reply.format().stripTrailing().replace("\r\n", " | "));
        }
        String text = reply.format();
        if (tlsOnNextReply) {
            tlsOnNextReply = false;
            connection.startTls(text.substring(0, text.length() - 2));
        } else {
            connection.write(text.getBytes(StandardCharsets.UTF_8));
        }
        Runnable then = afterReply;
        afterReply = null;
        if (then != null) {
            then.run();
        }
    }

    /** Closes now: only after a reply was sent. */
    void close() {
        resetTransaction();
        phase = Phase.CLOSED;
        connection.close();
    }

}
