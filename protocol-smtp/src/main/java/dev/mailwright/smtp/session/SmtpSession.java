package dev.mailwright.smtp.session;

import dev.mailwright.protocol.limit.AuthThrottle;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.protocol.sasl.SaslMechanism;
import dev.mailwright.protocol.sasl.SaslStep;
import dev.mailwright.smtp.MailFrom;
import dev.mailwright.smtp.RcptTo;
import dev.mailwright.smtp.SessionInfo;
import dev.mailwright.smtp.SmtpRejection;
import dev.mailwright.smtp.SmtpReply;
import dev.mailwright.smtp.SmtpSettings;
import dev.mailwright.smtp.auth.Authenticator;
import dev.mailwright.smtp.delivery.MessageSink;
import dev.mailwright.smtp.delivery.MissingHeaders;
import dev.mailwright.smtp.delivery.TraceHeaders;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.smtp.policy.SmtpPolicy;
import dev.mailwright.store.StoreUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP conversation without a network: bytes in through {@link #receive}, replies out
 * through the {@link SessionChannel}. Single-threaded: the transport calls it from one
 * ordered executor per connection (blocking work such as a store commit happens here).
 *
 * <p>Connection state (HELO name, TLS, authenticated user, counters) is kept in this object;
 * the mail transaction in a {@link Transaction}; where the dialogue is in a {@link Phase}.
 */
public final class SmtpSession implements SessionInfo {

    /** The protocol name metrics are reported under. */
    public static final String PROTOCOL = "smtp";

    private static final Logger log = LoggerFactory.getLogger(SmtpSession.class);
    /** The protocol trace (commands and replies, never message content; credentials redacted), at debug. */
    private static final Logger trace = LoggerFactory.getLogger("dev.mailwright.smtp.trace");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Longer than any verb. */
    private static final int MAX_VERB = 16;
    private static final char[] ID_CHARS = "0123456789BCDFGHJKLMNPQRSTVWXZ".toCharArray();

    private final SmtpSettings settings;
    private final SessionChannel channel;
    private final Map<String, SmtpCommand> commands;
    private final SmtpPolicy policy;
    private final MessageSink.Factory sinks;
    private final Authenticator authenticator;
    private final Clock clock;
    private final ProtocolMetrics metrics;
    private final String id = newId();
    private final long startedNanos = System.nanoTime();
    private boolean draining;

    // connection state
    private Phase phase = Phase.CONNECTED;
    private String heloName;
    private boolean extended;
    private boolean tls;
    private String user;
    private int badCommands;
    private int authFailures;
    private int transactions;
    private final List<String> results = new ArrayList<>();

    // the transaction, the SASL exchange, the chunk being read
    private Transaction transaction;
    private SaslMechanism sasl;
    private AuthThrottle.Attempt attempt;
    /** How long the throttle says to hold the next reply (a login's outcome); zero for none. */
    private Duration holdNextReply = Duration.ZERO;
    /** A reply is held: input waits, the part of a read after the held command in {@code heldInput}. */
    private boolean replyHeld;
    private byte[] heldInput;
    private long chunkRemaining = -1;
    private long chunkSize;
    private boolean chunkLast;
    private SmtpReply chunkFailure;
    private Runnable afterReply;
    private boolean tlsOnNextReply;

    // command line framing
    private final byte[] line;
    private int lineLength;
    private boolean lineOverflow;

    public SmtpSession(SmtpSettings settings, SessionChannel channel, Map<String, SmtpCommand> commands,
                       SmtpPolicy policy, MessageSink.Factory sinks, Authenticator authenticator, Clock clock) {
        this(settings, channel, commands, policy, sinks, authenticator, clock, ProtocolMetrics.NONE);
    }

    public SmtpSession(SmtpSettings settings, SessionChannel channel, Map<String, SmtpCommand> commands,
                       SmtpPolicy policy, MessageSink.Factory sinks, Authenticator authenticator, Clock clock,
                       ProtocolMetrics metrics) {
        this.metrics = metrics;
        this.settings = settings;
        this.channel = channel;
        this.commands = Map.copyOf(commands);
        this.policy = policy;
        this.sinks = sinks;
        this.authenticator = authenticator;
        this.clock = clock;
        this.line = new byte[settings.maxCommandLine()];
    }

    // ------------------------------------------------------------ transport side

    /** The connection is open (and, for implicit TLS, encrypted): asks the connect hooks, then greets. */
    public void start(boolean implicitTls) {
        metrics.connectionOpened(PROTOCOL);
        tls = implicitTls;
        PolicyResult verdict = ask(() -> policy.connect(this));
        if (verdict.refuses()) {
            log.info("smtp {} refused at connect from {}: {}", id, clientAddress(), verdict.reply());
            SmtpReply reply = verdict.reply();
            send(reply.isTransient() && reply.code() != 421 ? SmtpReply.of(421, reply.enhanced(), reply.lines().get(0)) : reply);
            close();
            return;
        }
        send(SmtpReply.of(220, null, settings.hostname() + " ESMTP Mailwright"));
    }

    /** Bytes from the client. */
    public void receive(byte[] b, int off, int len) {
        consume(b, off, off + len, false);
    }

    /**
     * Takes from the start of {@code b} what can be answered without blocking, on the calling
     * (I/O) thread: complete command lines whose commands {@linkplain SmtpCommand#runsWithoutBlocking
     * run without blocking}, and error replies. Stops before anything else (a command that may
     * block, message content, a SASL response, a line not complete yet) and returns how many
     * octets it took; the caller hands the rest to {@link #receive} on the session's worker.
     */
    public int receiveWithoutBlocking(byte[] b, int off, int len) {
        return consume(b, off, off + len, true) - off;
    }

    /** Whether the greeting can be sent without blocking: no connect hook may block. */
    public boolean startsWithoutBlocking() {
        return !policy.mayBlock(SmtpPolicy.Stage.CONNECT, this);
    }

    /** Whether {@link #disconnected()} can run without blocking: no transaction, or one whose sink drops without blocking. */
    public boolean endsWithoutBlocking() {
        return transaction == null || sinks.opensWithoutBlocking();
    }

    /** Whether opening and dropping this listener's message sinks never blocks. */
    public boolean sinksOpenWithoutBlocking() {
        return sinks.opensWithoutBlocking();
    }

    private int consume(byte[] b, int off, int end, boolean withoutBlocking) {
        int i = off;
        try {
            while (i < end) {
                if (replyHeld) {
                    if (withoutBlocking) {
                        return i;
                    }
                    heldInput = heldInput == null ? Arrays.copyOfRange(b, i, end) : concat(heldInput, b, i, end);
                    return end; // read once the held reply is out
                }
                if (phase == Phase.CLOSED || phase == Phase.STARTING_TLS) {
                    return end; // after STARTTLS, plaintext is discarded until TLS is up
                }
                if (phase == Phase.DATA) {
                    if (withoutBlocking) {
                        return i;
                    }
                    i += data(b, i, end - i);
                } else if (chunkRemaining >= 0) {
                    if (withoutBlocking) {
                        return i;
                    }
                    i += chunk(b, i, end - i);
                } else {
                    if (withoutBlocking && !nextLineRunsWithoutBlocking(b, i, end)) {
                        return i;
                    }
                    i = line(b, i, end);
                }
            }
        } catch (RuntimeException e) {
            log.error("smtp {} failed", id, e);
            send(SmtpReply.of(421, "4.3.0", "Temporary local problem, closing transmission channel"));
            close();
            return end;
        }
        return i;
    }

    /**
     * Whether the command line starting at {@code from} is complete and is answered without
     * blocking: an unknown verb or one out of sequence only gets an error reply. With a sink
     * that may block, nothing runs here while a transaction is open (an error can end it).
     */
    private boolean nextLineRunsWithoutBlocking(byte[] b, int from, int end) {
        if (lineLength > 0 || lineOverflow || phase == Phase.AUTH || !endsWithoutBlocking()) {
            return false;
        }
        int verbEnd = from;
        while (verbEnd < end && b[verbEnd] != ' ' && b[verbEnd] != '\r' && b[verbEnd] != '\n') {
            verbEnd++;
        }
        int lineEnd = verbEnd;
        while (lineEnd < end && b[lineEnd] != '\n') {
            lineEnd++;
        }
        if (lineEnd == end) {
            return false;
        }
        if (verbEnd - from > MAX_VERB) {
            return true; // no such command: an error reply
        }
        String verb = new String(b, from, verbEnd - from, StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        SmtpCommand command = commands.get(verb);
        if (command == null || !command.phases().contains(phase)) {
            return true;
        }
        if (command.runsWithoutBlocking(this)) {
            return true;
        }
        // the argument as line() will decode it; a line it refuses only gets an error reply
        int argumentEnd = lineEnd > verbEnd && b[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
        if (verbEnd >= argumentEnd || b[verbEnd] != ' ') {
            return command.runsWithoutBlocking(this, "");
        }
        for (int i = from; i < argumentEnd; i++) {
            if (b[i] == '\r') {
                return true; // a bare CR: an error reply
            }
        }
        String argument = utf8(Arrays.copyOfRange(b, verbEnd + 1, argumentEnd), argumentEnd - verbEnd - 1);
        return argument == null || command.runsWithoutBlocking(this, argument);
    }

    /** The same, for a buffer (its position moves to its limit). */
    public void receive(ByteBuffer buffer) {
        if (buffer.hasArray()) {
            receive(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            buffer.position(buffer.limit());
        } else {
            byte[] copy = new byte[buffer.remaining()];
            buffer.get(copy);
            receive(copy, 0, copy.length);
        }
    }

    /** The TLS handshake after STARTTLS completed: the session starts over, except for TLS. */
    public void tlsStarted() {
        if (phase != Phase.STARTING_TLS) {
            return;
        }
        tls = true;
        heloName = null;
        extended = false;
        user = null;
        phase = Phase.CONNECTED;
        lineLength = 0;
        lineOverflow = false;
    }

    /**
     * The server is stopping. A session without a transaction in progress is closed at once
     * with {@code 421}; one with a transaction may finish it (its final reply is followed by the
     * {@code 421}), until {@link #abort()} ends it.
     */
    public void drain() {
        if (phase == Phase.CLOSED) {
            return;
        }
        draining = true;
        if (transaction == null) {
            send(SmtpReply.SERVICE_UNAVAILABLE);
            close();
        }
    }

    /** The shutdown grace period is over: a transaction still open is dropped (nothing is stored) and the session closed. */
    public void abort() {
        if (phase == Phase.CLOSED) {
            return;
        }
        if (transaction != null) {
            log.info("smtp {} transaction {} dropped: server shutting down", id, transaction.id());
            results.add(transaction.id() + " dropped at shutdown in " + phase);
            metrics.messageRejected(PROTOCOL, "shutdown");
        }
        send(SmtpReply.SERVICE_UNAVAILABLE);
        close();
    }

    /** The client was silent for too long. */
    public void timeout() {
        if (phase != Phase.CLOSED) {
            log.info("smtp {} timed out in {}", id, phase);
            send(SmtpReply.TIMEOUT);
            close();
        }
    }

    /** The connection is gone: an open transaction is dropped, the session log line written. */
    public void disconnected() {
        metrics.connectionClosed(PROTOCOL, Duration.ofNanos(System.nanoTime() - startedNanos));
        if (transaction != null) {
            metrics.messageRejected(PROTOCOL, "disconnected");
            transaction.sink().abort();
            results.add(transaction.id() + " aborted by disconnect in " + phase);
            transaction = null;
        }
        phase = Phase.CLOSED;
        log.info("smtp {} closed: client={} helo={} tls={} user={} messages=[{}]", id, clientAddress(),
                heloName, channel.tls().map(SessionChannel.TlsInfo::protocol).orElse(tls ? "yes" : "no"),
                user, String.join("; ", results));
    }

    // ------------------------------------------------------------ SessionInfo

    @Override
    public String sessionId() {
        return id;
    }

    @Override
    public InetSocketAddress clientAddress() {
        return channel.remoteAddress();
    }

    @Override
    public Optional<String> heloName() {
        return Optional.ofNullable(heloName);
    }

    @Override
    public boolean extended() {
        return extended;
    }

    @Override
    public Optional<String> tlsProtocol() {
        return tls ? Optional.of(channel.tls().map(SessionChannel.TlsInfo::protocol).orElse("TLS")) : Optional.empty();
    }

    @Override
    public Optional<String> tlsCipher() {
        return tls ? channel.tls().map(SessionChannel.TlsInfo::cipher) : Optional.empty();
    }

    @Override
    public Optional<String> authenticatedUser() {
        return Optional.ofNullable(user);
    }

    // ------------------------------------------------------------ for commands

    public SmtpSettings settings() {
        return settings;
    }

    public Phase phase() {
        return phase;
    }

    public boolean tls() {
        return tls;
    }

    public boolean tlsAvailable() {
        return !tls && channel.tlsAvailable();
    }

    public SmtpPolicy policy() {
        return policy;
    }

    public Authenticator authenticator() {
        return authenticator;
    }

    /** The mechanisms AUTH offers now (none once authenticated). */
    public List<String> authMechanisms() {
        return user == null && settings.authAllowed(tls) ? authenticator.mechanisms() : List.of();
    }

    /** The open transaction, if any. */
    public Optional<Transaction> transaction() {
        return Optional.ofNullable(transaction);
    }

    /** Asks a hook; a failing hook is a temporary failure, never an accept. */
    public PolicyResult ask(java.util.function.Supplier<PolicyResult> hook) {
        try {
            return hook.get();
        } catch (StoreUnavailableException e) {
            log.warn("smtp {} policy: store unavailable: {}", id, e.getMessage());
            return PolicyResult.tempFail(SmtpReply.LOCAL_ERROR);
        } catch (SmtpRejection e) {
            return e.reply().isTransient() ? PolicyResult.tempFail(e.reply()) : PolicyResult.reject(e.reply());
        } catch (RuntimeException e) {
            log.error("smtp {} policy hook failed", id, e);
            return PolicyResult.tempFail(SmtpReply.LOCAL_ERROR);
        }
    }

    /** HELO/EHLO succeeded: any transaction is dropped. */
    public void greeted(String name, boolean ehlo) {
        resetTransaction();
        heloName = name;
        extended = ehlo;
        phase = Phase.READY;
    }

    /** MAIL FROM: opens the sink and the transaction. */
    public void beginTransaction(MailFrom from) {
        MessageSink sink = sinks.open(this, from);
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
            transaction.sink().abort();
            transaction = null;
        }
        if (phase == Phase.MAIL || phase == Phase.RCPT || phase == Phase.BDAT) {
            phase = Phase.READY;
        }
    }

    /** DATA was accepted: what follows is content until CRLF.CRLF. */
    public void startData() {
        openContent(false);
        phase = Phase.DATA;
    }

    /**
     * BDAT: the next {@code size} octets are a chunk. With a {@code failure}, the chunk is read
     * and dropped and that is the reply; otherwise it goes into the transaction.
     */
    public void startChunk(long size, boolean last, SmtpReply failure) {
        chunkRemaining = size;
        chunkSize = size;
        chunkLast = last;
        chunkFailure = failure;
        if (failure == null) {
            if (!transaction.contentStarted()) {
                openContent(true);
            }
            phase = Phase.BDAT;
        }
        if (size == 0) {
            endChunk();
        }
    }

    /** STARTTLS was accepted: after the reply, TLS; plaintext until then is discarded. */
    public void startTls() {
        resetTransaction();
        phase = Phase.STARTING_TLS;
        tlsOnNextReply = true;
    }

    /** AUTH started an exchange whose credential checks go through {@code attempt}: the step's outcome is the reply. */
    public SmtpReply startAuth(SaslMechanism exchange, AuthThrottle.Attempt attempt, byte[] initialResponse) {
        sasl = exchange;
        this.attempt = attempt;
        return saslStep(initialResponse);
    }

    /**
     * The throttle refused an AUTH before anything was checked: {@code 454 4.7.0} (RFC 4954: try
     * later, do not ask the user again); the connection stays open (RFC 5321 3.8) until the
     * failures on it reach the limit, then {@code 421}.
     */
    public SmtpReply authRefused(AuthThrottle.Attempt refused) {
        sasl = null;
        attempt = null;
        phase = Phase.READY;
        authFailures++;
        log.info("smtp {} authentication refused by the throttle ({}) from {}", id,
                refused.refusal().map(Enum::name).orElse("-"), clientAddress().getAddress().getHostAddress());
        if (authFailures >= settings.maxAuthFailures()) {
            closeAfterReply();
            return SmtpReply.TOO_MANY_AUTH_FAILURES;
        }
        return SmtpReply.AUTH_REFUSED;
    }

    /** Closes the connection after the reply. */
    public void closeAfterReply() {
        resetTransaction();
        phase = Phase.CLOSED;
        afterReply = channel::close;
    }

    // ------------------------------------------------------------ input

    private int line(byte[] b, int from, int end) {
        int i = from;
        while (i < end && b[i] != '\n') {
            i++;
        }
        int take = i - from;
        if (!lineOverflow) {
            if (lineLength + take > line.length) {
                lineOverflow = true;
            } else {
                System.arraycopy(b, from, line, lineLength, take);
                lineLength += take;
            }
        }
        if (i == end) {
            return end; // the line goes on in the next read
        }
        boolean crlf = lineLength > 0 && line[lineLength - 1] == '\r';
        int length = crlf ? lineLength - 1 : lineLength;
        boolean overflow = lineOverflow;
        lineLength = 0;
        lineOverflow = false;
        if (overflow) {
            badCommand(SmtpReply.LINE_TOO_LONG);
        } else if (indexOf(line, length, (byte) '\r') >= 0) {
            badCommand(SmtpReply.BARE_CR_IN_COMMAND);
        } else if (!crlf && settings.bareLineEnds() == SmtpSettings.BareLineEnds.REJECT) {
            badCommand(SmtpReply.BARE_LF_IN_COMMAND);
        } else {
            String text = utf8(line, length);
            if (text == null) {
                badCommand(SmtpReply.INVALID_UTF8);
            } else if (phase == Phase.AUTH) {
                if (trace.isDebugEnabled()) {
                    trace.debug("smtp {} C: <SASL response redacted>", id);
                }
                authResponse(text);
            } else {
                if (trace.isDebugEnabled()) {
                    trace.debug("smtp {} C: {}", id, redacted(text));
                }
                dispatch(text);
            }
        }
        return i + 1;
    }

    private int data(byte[] b, int off, int len) {
        DataDecoder decoder = transaction.decoder();
        int used;
        try {
            used = decoder.feed(b, off, len);
        } catch (IOException e) {
            throw new IllegalStateException(e); // the guard never throws
        }
        if (decoder.ended()) {
            endOfMessage();
        }
        return used;
    }

    private int chunk(byte[] b, int off, int len) {
        int take = (int) Math.min(len, chunkRemaining);
        if (chunkFailure == null) {
            try {
                transaction.decoder().feed(b, off, take);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        chunkRemaining -= take;
        if (chunkRemaining == 0) {
            endChunk();
        }
        return take;
    }

    private void endChunk() {
        chunkRemaining = -1;
        if (chunkFailure != null) {
            SmtpReply failure = chunkFailure;
            chunkFailure = null;
            send(failure);
            return;
        }
        if (chunkLast) {
            try {
                transaction.decoder().finish();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            endOfMessage();
        } else if (transaction.content().oversize()) {
            // RFC 3030: the transaction fails at the chunk that passed the limit
            finishTransaction(SmtpReply.MESSAGE_TOO_BIG, "refused: too big");
        } else {
            send(SmtpReply.of(250, "2.0.0", chunkSize + " octets received"));
        }
    }

    // ------------------------------------------------------------ dispatch

    private void dispatch(String text) {
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : text.substring(space + 1);
        SmtpCommand command = commands.get(verb);
        if (command == null) {
            metrics.command(PROTOCOL, "UNKNOWN", false);
            badCommand(SmtpReply.COMMAND_UNRECOGNIZED);
            return;
        }
        if (draining && transaction == null && !verb.equals("QUIT")) {
            metrics.command(PROTOCOL, verb, false);
            send(SmtpReply.SERVICE_UNAVAILABLE);
            close();
            return;
        }
        if (!command.phases().contains(phase)) {
            metrics.command(PROTOCOL, verb, false);
            badCommand(command.outOfSequence(phase));
            return;
        }
        SmtpReply reply;
        try {
            reply = command.execute(this, argument);
        } catch (SmtpRejection e) {
            reply = e.reply();
        } catch (StoreUnavailableException e) {
            log.warn("smtp {} {}: store unavailable: {}", id, verb, e.getMessage());
            metrics.storeError(PROTOCOL);
            reply = SmtpReply.LOCAL_ERROR;
        } catch (RuntimeException e) {
            log.error("smtp {} {} failed", id, verb, e);
            metrics.storeError(PROTOCOL);
            reply = SmtpReply.LOCAL_ERROR;
        }
        if (reply == null) {
            return; // BDAT: the reply follows the chunk
        }
        metrics.command(PROTOCOL, verb, reply.isPositive() || reply.code() / 100 == 3);
        if (reply.code() == 500 || reply.code() == 501 || reply.code() == 503) {
            badCommand(reply);
        } else {
            send(reply);
        }
    }

    private void badCommand(SmtpReply reply) {
        badCommands++;
        if (badCommands >= settings.maxBadCommands()) {
            log.info("smtp {} closing after {} bad commands", id, badCommands);
            send(SmtpReply.TOO_MANY_ERRORS);
            close();
        } else {
            send(reply);
        }
    }

    // ------------------------------------------------------------ AUTH

    private void authResponse(String text) {
        if (text.equals("*")) {
            sasl = null;
            phase = Phase.READY;
            send(SmtpReply.AUTH_CANCELLED);
            return;
        }
        byte[] response;
        try {
            response = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            sasl = null;
            phase = Phase.READY;
            send(SmtpReply.INVALID_BASE64);
            return;
        }
        SmtpReply reply;
        try {
            reply = saslStep(response);
        } catch (StoreUnavailableException e) {
            sasl = null;
            phase = Phase.READY;
            reply = SmtpReply.LOCAL_ERROR;
        }
        send(reply);
    }

    private SmtpReply saslStep(byte[] response) {
        SaslStep step;
        try {
            step = sasl.evaluate(response);
        } catch (RuntimeException e) {
            sasl = null;
            phase = Phase.READY;
            throw e;
        }
        if (attempt.refused()) {
            return authRefused(attempt);
        }
        if (step instanceof SaslStep.Challenge c) {
            phase = Phase.AUTH;
            holdNextReply = attempt.hold();
            return SmtpReply.of(334, null, Base64.getEncoder().encodeToString(c.data()));
        }
        sasl = null;
        phase = Phase.READY;
        AuthThrottle.Attempt done = attempt;
        attempt = null;
        if (step instanceof SaslStep.Success s) {
            holdNextReply = done.succeeded();
            metrics.authentication(PROTOCOL, true);
            user = s.account().address().toString();
            log.info("smtp {} authenticated as {}", id, user);
            return SmtpReply.AUTH_OK;
        }
        SaslStep.Failure failure = (SaslStep.Failure) step;
        if (failure.reason() == SaslStep.Reason.BAD_CREDENTIALS) {
            holdNextReply = done.failed();
        }
        authFailures++;
        metrics.authentication(PROTOCOL, false);
        log.info("smtp {} authentication failed: {}", id, failure.reason());
        if (authFailures >= settings.maxAuthFailures()) {
            closeAfterReply();
            return SmtpReply.TOO_MANY_AUTH_FAILURES;
        }
        return SmtpReply.AUTH_FAILED;
    }

    // ------------------------------------------------------------ content

    private void openContent(boolean chunked) {
        MessageSink sink = transaction.sink();
        ZonedDateTime now = ZonedDateTime.now(clock);
        OutputStream target = sink.content();
        Transaction.Content content;
        if (settings.mode().isSubmission()) {
            MissingHeaders completed = new MissingHeaders(target, () -> TraceHeaders.DATE.format(now),
                    () -> "<" + UUID.randomUUID() + "@" + settings.hostname() + ">");
            content = new Transaction.Content(completed, settings.maxMessageSize());
        } else {
            content = new Transaction.Content(target, settings.maxMessageSize());
        }
        StringBuilder trace = new StringBuilder();
        if (sink.delivers()) {
            trace.append(TraceHeaders.returnPath(transaction.from()));
        }
        trace.append(TraceHeaders.received(this, settings.hostname(), transaction.id(), transaction.from(),
                transaction.recipients(), now));
        content.header(trace.toString().getBytes(StandardCharsets.UTF_8));
        DataDecoder.Mode mode = settings.bareLineEnds() == SmtpSettings.BareLineEnds.NORMALIZE
                ? DataDecoder.Mode.NORMALIZE : DataDecoder.Mode.REJECT;
        transaction.startContent(content, chunked ? DataDecoder.chunks(mode, content) : DataDecoder.data(mode, content));
    }

    private void endOfMessage() {
        Transaction t = transaction;
        Transaction.Content content = t.content();
        DataDecoder.Problem problem = t.decoder().problem();
        if (problem != DataDecoder.Problem.NONE) {
            finishTransaction(problem == DataDecoder.Problem.BARE_LF ? SmtpReply.BARE_LF_IN_DATA : SmtpReply.BARE_CR_IN_DATA,
                    "refused: " + problem);
            return;
        }
        if (content.oversize()) {
            finishTransaction(SmtpReply.MESSAGE_TOO_BIG, "refused: too big (" + content.size() + " octets)");
            return;
        }
        content.finish();
        if (content.failure() != null) {
            if (content.cause() != null) {
                log.error("smtp {} writing message {} failed", id, t.id(), content.cause());
            }
            finishTransaction(content.failure(), "failed while receiving: " + content.failure());
            return;
        }
        PolicyResult verdict = ask(() -> policy.endOfData(this, t.from(), t.recipients(), content.size()));
        if (verdict.refuses()) {
            finishTransaction(verdict.reply(), "refused by policy: " + verdict.reply());
            return;
        }
        SmtpReply reply;
        String result;
        long commitStart = System.nanoTime();
        try {
            String where = t.sink().commit();
            reply = SmtpReply.of(250, "2.0.0", "Ok: queued as " + t.id());
            result = where;
            metrics.messageAccepted(PROTOCOL, content.size(), t.recipients().size(),
                    Duration.ofNanos(System.nanoTime() - commitStart));
        } catch (SmtpRejection e) {
            reply = e.reply();
            result = "refused: " + reply;
        } catch (StoreUnavailableException e) {
            log.warn("smtp {} commit of {} failed: store unavailable: {}", id, t.id(), e.getMessage());
            metrics.storeError(PROTOCOL);
            reply = SmtpReply.LOCAL_ERROR;
            result = "store unavailable";
        } catch (RuntimeException e) {
            log.error("smtp {} commit of {} failed", id, t.id(), e);
            metrics.storeError(PROTOCOL);
            reply = SmtpReply.LOCAL_ERROR;
            result = "failed";
        }
        finishTransaction(reply, result);
    }

    private void finishTransaction(SmtpReply reply, String result) {
        Transaction t = transaction;
        if (!reply.isPositive()) {
            t.sink().abort();
            metrics.messageRejected(PROTOCOL, reply.isTransient() ? "temporary" : "permanent");
        }
        String line = t.id() + " from=" + t.from().path() + " size=" + t.content().size() + " rcpts="
                + t.recipients().stream().map(r -> r.address().toString()).toList() + " " + reply.code() + " " + result;
        results.add(line);
        log.info("smtp {} message {}", id, line);
        transaction = null;
        chunkRemaining = -1;
        phase = Phase.READY;
        send(reply);
        if (draining) {
            send(SmtpReply.SERVICE_UNAVAILABLE);
            close();
        }
    }

    // ------------------------------------------------------------ helpers

    /** A command line for the trace: AUTH's initial response is credentials. */
    static String redacted(String command) {
        if (command.regionMatches(true, 0, "AUTH ", 0, 5)) {
            int mechanismEnd = command.indexOf(' ', 5);
            return mechanismEnd < 0 ? command : command.substring(0, mechanismEnd) + " <redacted>";
        }
        return command;
    }

    private void send(SmtpReply reply) {
        if (!holdNextReply.isZero()) {
            Duration hold = holdNextReply;
            holdNextReply = Duration.ZERO;
            replyHeld = true; // no input is read meanwhile, not even the rest of this read
            channel.after(hold, () -> {
                replyHeld = false;
                send(reply);
                byte[] rest = heldInput;
                heldInput = null;
                if (rest != null) {
                    consume(rest, 0, rest.length, false);
                }
            });
            return;
        }
        if (trace.isDebugEnabled()) {
            trace.debug("smtp {} S: {}", id, reply.format().stripTrailing().replace("\r\n", " | "));
        }
        if (tlsOnNextReply) {
            tlsOnNextReply = false;
            channel.startTls(reply);
        } else {
            channel.send(reply);
        }
        Runnable then = afterReply;
        afterReply = null;
        if (then != null) {
            then.run();
        }
    }

    /** Closes now: only after a reply was sent. */
    private void close() {
        resetTransaction();
        phase = Phase.CLOSED;
        channel.close();
    }

    private static byte[] concat(byte[] head, byte[] b, int from, int to) {
        byte[] joined = Arrays.copyOf(head, head.length + to - from);
        System.arraycopy(b, from, joined, head.length, to - from);
        return joined;
    }

    private static int indexOf(byte[] b, int length, byte value) {
        for (int i = 0; i < length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static String utf8(byte[] b, int length) {
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b, 0, length));
            String s = cb.toString();
            return s.chars().anyMatch(c -> c == 0) ? null : s;
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String newId() {
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(ID_CHARS[RANDOM.nextInt(ID_CHARS.length)]);
        }
        return sb.toString();
    }
}
