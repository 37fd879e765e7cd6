package dev.mailwright.smtp.session;

import dev.mailwright.password.HashingBusyException;
import dev.mailwright.protocol.codec.Line;
import dev.mailwright.protocol.metrics.ProtocolMetrics;
import dev.mailwright.smtp.api.SmtpRejection;
import dev.mailwright.smtp.api.SmtpReply;
import dev.mailwright.smtp.api.SmtpResponse;
import dev.mailwright.smtp.policy.PolicyResult;
import dev.mailwright.store.StoreUnavailableException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that turns a command line into a reply: framing errors, the verb, the phase, the
 * command, the exceptions it may throw, bad-command counting, metrics and the protocol trace.
 * Shared by the sessions of a listener; holds no session state.
 */
public final class SmtpDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpDispatcher.class);
    /** The protocol trace (commands and replies, never message content; credentials redacted), at debug. */
    static final Logger TRACE = LoggerFactory.getLogger("dev.mailwright.smtp.trace");
    /** Commands that move no mail (Postfix's junk commands, with EXPN and HELP): limited by {@code maxJunkCommands}. */
    private static final Set<String> JUNK = Set.of("NOOP", "RSET", "VRFY", "EXPN", "HELP");

    private final Map<String, SmtpCommand> commands;
    private final ProtocolMetrics metrics;

    public SmtpDispatcher(Map<String, SmtpCommand> commands, ProtocolMetrics metrics) {
        this.commands = Map.copyOf(commands);
        this.metrics = metrics;
    }

    /**
     * Whether {@link #line} answers {@code line} without blocking in the session's present state:
     * an error reply, or a command that says it runs without blocking. Nothing runs here in a SASL
     * exchange, or while a transaction is open whose sink could block when an error ends it.
     */
    boolean runsWithoutBlocking(SmtpSession session, Line line) {
        if (session.phase() == Phase.AUTH || !session.endsWithoutBlocking() || session.injectsFaults()) {
            return false;
        }
        String text = text(line);
        if (text == null) {
            return true; // an error reply
        }
        int space = text.indexOf(' ');
        SmtpCommand command = commands.get((space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT));
        return command == null || !command.phases().contains(session.phase()) || command.runsWithoutBlocking(session)
                || command.runsWithoutBlocking(session, space < 0 ? "" : text.substring(space + 1));
    }

    /** Handles one command line (or SASL response) and sends its reply, unless the reply comes later. */
    void line(SmtpSession session, Line line) {
        if (line.kind() == Line.Kind.BARE_LF) {
            // a bare LF is how SMTP smuggling starts: answer once and close, as Postfix 3.9's
            // smtpd_forbid_bare_newline = yes, and never run what follows on the connection
            metrics.command(SmtpSession.PROTOCOL, "UNKNOWN", false);
            LOG.info("smtp {} closing after a bare LF in a command line", session.client().sessionId());
            session.send(SmtpReply.BARE_LF_IN_COMMAND);
            session.close();
            return;
        }
        if (line.kind() == Line.Kind.TIMEOUT) {
            metrics.command(SmtpSession.PROTOCOL, "UNKNOWN", false);
            session.timedOut("command-line");
            return;
        }
        SmtpReply framing = switch (line.kind()) {
            case TOO_LONG -> SmtpReply.LINE_TOO_LONG;
            case NUL -> SmtpReply.INVALID_UTF8;
            default -> null;
        };
        String text = framing == null ? text(line) : null;
        if (framing == null && text == null) {
            framing = indexOf(line.bytes(), (byte) '\r') >= 0 ? SmtpReply.BARE_CR_IN_COMMAND : SmtpReply.INVALID_UTF8;
        }
        if (framing != null) {
            bad(session, framing);
            return;
        }
        if (TRACE.isDebugEnabled()) {
            TRACE.debug("smtp {} C: {}", session.client().sessionId(), session.trace().line(text,
                    session.phase() == Phase.AUTH));
        }
        if (session.phase() == Phase.AUTH) {
            if (run(session, "AUTH", () -> commands.get("AUTH").continued(session, text)) instanceof SmtpReply reply) {
                session.send(reply);
            }
            return;
        }
        dispatch(session, text);
    }

    private void dispatch(SmtpSession session, String text) {
        int space = text.indexOf(' ');
        String verb = (space < 0 ? text : text.substring(0, space)).toUpperCase(Locale.ROOT);
        String argument = space < 0 ? "" : text.substring(space + 1);
        SmtpCommand command = commands.get(verb);
        if (command == null) {
            metrics.command(SmtpSession.PROTOCOL, "UNKNOWN", false);
            bad(session, SmtpReply.COMMAND_UNRECOGNIZED);
            return;
        }
        if (session.faulted(verb, argument, () -> run(session, verb, argument, command))) {
            return; // an injected fault answered (or the command runs after a delay): not counted
        }
        run(session, verb, argument, command);
    }

    private void run(SmtpSession session, String verb, String argument, SmtpCommand command) {
        if (session.draining() && session.transaction().isEmpty() && !verb.equals("QUIT")) {
            metrics.command(SmtpSession.PROTOCOL, verb, false);
            session.send(SmtpReply.SERVICE_UNAVAILABLE);
            session.close();
            return;
        }
        if (!command.phases().contains(session.phase())) {
            metrics.command(SmtpSession.PROTOCOL, verb, false);
            bad(session, command.outOfSequence(session.phase()));
            return;
        }
        SmtpResponse response = run(session, verb, () -> command.execute(session, argument));
        if (response instanceof SmtpReply reply) {
            metrics.command(SmtpSession.PROTOCOL, verb, reply.isPositive() || reply.code() / 100 == 3);
            if (reply.code() == 421) { // RFC 5321 3.8: the server closes after a 421, whoever said it
                session.send(reply);
                session.close();
            } else if (reply.code() == 500 || reply.code() == 501 || reply.code() == 503) {
                bad(session, reply);
            } else if (JUNK.contains(verb) && session.countJunkCommand() > session.settings().maxJunkCommands()) {
                bad(session, reply); // answered, but it counts toward the bad-command limit
            } else {
                session.send(reply);
            }
        }
    }

    private static SmtpResponse run(SmtpSession session, String what, Supplier<? extends SmtpResponse> work) {
        try {
            return work.get();
        } catch (RuntimeException e) {
            return failure(session, what, e);
        }
    }

    /**
     * The reply for a failure: a refusal carries its own; a store outage or anything unexpected
     * is a temporary local error with generic text, the details going to the log only.
     */
    static SmtpReply failure(SmtpSession session, String what, RuntimeException e) {
        if (e instanceof SmtpRejection rejection) {
            return rejection.reply();
        }
        if (e instanceof HashingBusyException) { // RFC 4954: a temporary authentication failure
            LOG.warn("smtp {} {}: {}", session.client().sessionId(), what, e.getMessage());
            return SmtpReply.of(454, "4.7.0", "Temporary authentication failure, try again later");
        }
        session.metrics().storeError(SmtpSession.PROTOCOL);
        if (e instanceof StoreUnavailableException) {
            LOG.warn("smtp {} {}: store unavailable: {}", session.client().sessionId(), what, e.getMessage());
        } else {
            LOG.error("smtp {} {} failed", session.client().sessionId(), what, e);
        }
        return SmtpReply.LOCAL_ERROR;
    }

    /** Asks a policy hook; a failing hook is a temporary failure (or its own refusal), never an accept. */
    static PolicyResult ask(SmtpSession session, Supplier<PolicyResult> hook) {
        try {
            return hook.get();
        } catch (RuntimeException e) {
            SmtpReply reply = failure(session, "policy hook", e);
            return reply.isTransient() ? PolicyResult.tempFail(reply) : PolicyResult.reject(reply);
        }
    }

    /** Answers a bad command; past the limit the connection is closed instead. */
    private static void bad(SmtpSession session, SmtpReply reply) {
        if (session.countBadCommand() >= session.settings().maxBadCommands()) {
            LOG.info("smtp {} closing after too many bad commands", session.client().sessionId());
            session.send(SmtpReply.TOO_MANY_ERRORS);
            session.close();
        } else {
            session.send(reply);
        }
    }

    /** The commands it knows, upper case. */
    Set<String> verbs() {
        return commands.keySet();
    }

    /** The line as strict UTF-8 without CR or NUL, or null. */
    private static String text(Line line) {
        if (!line.isLine() || indexOf(line.bytes(), (byte) '\r') >= 0) {
            return null;
        }
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line.bytes()));
            return cb.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static int indexOf(byte[] b, byte value) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
